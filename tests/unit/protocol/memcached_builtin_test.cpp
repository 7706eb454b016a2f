// The built-in memcached protocol: the request lines it sends, its reply
// framing in every split, and how replies are counted by kind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builtin_fixture.hpp"
#include "parser_feeding.hpp"
#include "protocol/builtin/memcached/memcached_parser.hpp"
#include "protocol/builtin/payload.hpp"

namespace swarm::protocol {
namespace {

using builtin::memcached::MemcachedParser;
using ::testing::ElementsAre;
using testing::expect_incomplete;
using testing::expect_invalid;
using testing::expect_reply;
using testing::FakeClient;

using Sizes = std::vector<std::size_t>;

TEST(MemcachedParser, RepliesInEverySplit) {
  MemcachedParser parser;
  expect_reply(parser, "STORED\r\n", "END\r\n");
  expect_reply(parser, "END\r\n", "VALUE k 0 1\r\nx\r\nEND\r\n");
  expect_reply(parser, "VALUE k 0 5\r\nhe\r\no\r\nEND\r\n", "STORED\r\n");
  // Data is skipped, never read as lines: it may hold "END\r\n".
  expect_reply(parser, "VALUE k 7 5 99\r\nEND\r\n\r\nVALUE a 0 0\r\n\r\nEND\r\n", "42\r\n");
  expect_reply(parser, "42\r\n", "NOT_FOUND\r\n");
  expect_reply(parser, "SERVER_ERROR out of memory storing object\r\n", "END\r\n");
  expect_incomplete(parser, "VALUE k 0 10\r\n12345");
  expect_incomplete(parser, "VALUE k 0 1\r\nx\r\n");
}

TEST(MemcachedParser, PipelinedReplies) {
  MemcachedParser parser;
  EXPECT_EQ(testing::split_pipeline(parser, "STORED\r\nVALUE k 0 2\r\nab\r\nEND\r\nEND\r\n"),
            (Sizes{8, 22, 5}));
}

TEST(MemcachedParser, RejectsABadValueLine) {
  MemcachedParser parser;
  expect_invalid(parser, "VALUE k 0 abc\r\n");
  expect_invalid(parser, "VALUE k 0\r\n");
  expect_invalid(parser, "VALUE k 0 99999999999\r\n");
  expect_invalid(parser, "VALUE " + std::string(400, 'k') + " 0 1\r\n");
}

class MemcachedBuiltinTest : public testing::BuiltinTest {};

TEST_F(MemcachedBuiltinTest, CommandsSendTheirLines) {
  instance(R"(protocol: memcached
actions:
  - command: set
    args: {key: "k{id}", value: hello, flags: 5, exptime: 60}
  - command: get
    args: {key: "k{id}", pipeline: 2}
  - command: delete
    args: {key: k}
  - command: incr
    args: {key: n, by: 3}
  - command: set
    args: {key: s, size: 4}
)");
  FakeClient client(9);
  client.incoming =
      "STORED\r\nVALUE k9 5 5\r\nhello\r\nEND\r\nEND\r\nNOT_FOUND\r\n4\r\nNOT_STORED\r\n";
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(run(i, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.sent,
              ElementsAre("set k9 5 60 5\r\nhello\r\n", "get k9\r\nget k9\r\n", "delete k\r\n",
                          "incr n 3\r\n", "set s 0 0 4\r\n" + builtin::filler_bytes(4) + "\r\n"));
  EXPECT_THAT(client.kinds, ElementsAre("hit", "miss", "NOT_FOUND", "NOT_STORED!"));
}

TEST_F(MemcachedBuiltinTest, ErrorsAreCountedByKind) {
  instance("protocol: memcached\nactions: [{command: get, args: {key: k, pipeline: 3}}]\n");
  FakeClient client;
  client.incoming = "ERROR\r\nCLIENT_ERROR bad command line format\r\nSERVER_ERROR busy\r\n";
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.kinds, ElementsAre("ERROR!", "CLIENT_ERROR!", "SERVER_ERROR!"));
}

TEST_F(MemcachedBuiltinTest, PlanProblemsSayWhere) {
  EXPECT_EQ(
      problems(R"(protocol: memcached
on_connect: {x: 1}
actions:
  - command: set
    args: {key: "has space", value: v}
  - command: set
    args: {key: k}
  - command: get
    args: {key: k, flags: 1}
  - command: incr
  - command: gets
  - command: set
    args: {key: k, size: 1, exptime: soon}
)"),
      "plan.yml:2:13: protocol memcached takes no on_connect settings\n"
      "plan.yml:5:17: command 'set' arg 'key': a memcached key has no spaces or control "
      "characters, and is not empty\n"
      "plan.yml:7:11: command 'set' needs arg 'value' (text) or 'size' (a whole number)\n"
      "plan.yml:9:27: command 'get' does not take arg 'flags' (takes: key, pipeline)\n"
      "plan.yml:10:14: command 'incr' needs arg 'key' (text)\n"
      "plan.yml:11:14: unknown command 'gets' (module memcached has: delete, get, incr, set)\n"
      "plan.yml:13:38: command 'set' arg 'exptime': expected a whole number, got 'soon'");
}

TEST_F(MemcachedBuiltinTest, BuiltInsBringTheirOwnReplyLimit) {
  // Unless --max-reply says otherwise: a memcached value may be 1 GiB, a
  // redis bulk string 512 MiB; http keeps the engine's 1 MiB.
  instance("protocol: memcached\nactions: [{command: get, args: {key: k}}]\n");
  EXPECT_EQ(module_->default_max_reply(), (std::size_t{1} << 30) + 1024);
  instance("protocol: redis\nactions: [{command: ping}]\n");
  EXPECT_EQ(module_->default_max_reply(), (std::size_t{512} << 20) | 1024);
  instance("protocol: http\nactions: [{command: request, args: {path: /}}]\n");
  EXPECT_EQ(module_->default_max_reply(), kDefaultMaxReply);
}

}  // namespace
}  // namespace swarm::protocol
