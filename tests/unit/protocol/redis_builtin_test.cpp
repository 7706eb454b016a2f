// The built-in redis protocol against a scripted client: the bytes it
// sends, how it counts replies, pipelining, pub/sub and on_connect, and the
// plan problems it finds at load.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builtin_fixture.hpp"
#include "core/stamp.hpp"
#include "protocol/builtin/payload.hpp"
#include "protocol/builtin/redis/redis_parts.hpp"

namespace swarm::protocol {
namespace {

using testing::BuiltinTest;
using ::testing::ElementsAre;
using testing::FakeClient;
using testing::hook_now;
using State = builtin::redis::RedisState;

class RedisBuiltinTest : public BuiltinTest {};

TEST_F(RedisBuiltinTest, CommandsSendRespWithTheirArgs) {
  instance(R"(protocol: redis
actions:
  - command: set
    args: {key: "user:{id}", value: hello, ex: 30}
  - command: get
    args: {key: "user:{id}"}
  - command: hset
    args: {key: h, field: "f{seq}", size: 3}
  - command: publish
    args: {channel: news, payload: hi}
  - command: command
    args: {words: [ZADD, "z:{id}", 1, m]}
  - command: ping
)");
  FakeClient client(7);
  client.incoming = "+OK\r\n$5\r\nhello\r\n:1\r\n:0\r\n:1\r\n+PONG\r\n";
  for (std::size_t i = 0; i < 6; ++i) EXPECT_EQ(run(i, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(
      client.sent,
      ElementsAre(
          "*5\r\n$3\r\nSET\r\n$6\r\nuser:7\r\n$5\r\nhello\r\n$2\r\nEX\r\n$2\r\n30\r\n",
          "*2\r\n$3\r\nGET\r\n$6\r\nuser:7\r\n",
          "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$2\r\nf3\r\n$3\r\n" + builtin::filler_bytes(3) + "\r\n",
          "*3\r\n$7\r\nPUBLISH\r\n$4\r\nnews\r\n$2\r\nhi\r\n",
          "*4\r\n$4\r\nZADD\r\n$3\r\nz:7\r\n$1\r\n1\r\n$1\r\nm\r\n", "*1\r\n$4\r\nPING\r\n"));
  EXPECT_THAT(client.kinds, ElementsAre("hit"));
}

TEST_F(RedisBuiltinTest, PipelineSendsNRequestsTogetherAndReadsNReplies) {
  instance(R"(protocol: redis
actions:
  - command: get
    args: {key: "k{seq}", pipeline: 3}
)");
  FakeClient client;
  client.incoming = "$1\r\na\r\n$-1\r\n-WRONGTYPE Operation against a key\r\n";
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.sent, ElementsAre("*2\r\n$3\r\nGET\r\n$2\r\nk1\r\n"
                                       "*2\r\n$3\r\nGET\r\n$2\r\nk2\r\n"
                                       "*2\r\n$3\r\nGET\r\n$2\r\nk3\r\n"));
  EXPECT_THAT(client.pipelined, ElementsAre(3u));
  EXPECT_THAT(client.kinds, ElementsAre("hit", "miss", "-WRONGTYPE!"));
}

TEST_F(RedisBuiltinTest, ErrorRepliesAreCountedByTheirFirstWord) {
  instance(R"(protocol: redis
actions:
  - command: incr
    args: {key: k, pipeline: 3}
)");
  FakeClient client;
  client.incoming = "-ERR value is not an integer\r\n!9\r\nMOVED 3 x\r\n:5\r\n";
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.kinds, ElementsAre("-ERR!", "-MOVED!"));
}

TEST_F(RedisBuiltinTest, AFailedCallEndsTheCommandQuietly) {
  instance("protocol: redis\nactions: [{command: ping, args: {pipeline: 2}}]\n");
  FakeClient client;
  client.fail_next = IoStatus::reset;
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);  // the engine counts it
  EXPECT_TRUE(client.kinds.empty());
}

TEST_F(RedisBuiltinTest, SubscribeSendsOneRequestPerChannelAndWaitsForEachConfirmation) {
  ModuleInstance& redis = instance(R"(protocol: redis
actions:
  - command: subscribe
    args: {channel: "room:{id}", channels: [news, sport]}
)");
  FakeClient client(4);
  client.incoming =
      "*3\r\n$9\r\nsubscribe\r\n$6\r\nroom:4\r\n:1\r\n"
      ">3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:2\r\n"
      "*3\r\n$9\r\nsubscribe\r\n$5\r\nsport\r\n:3\r\n";
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.pipelined, ElementsAre(3u));
  EXPECT_EQ(client.sent[0],
            "*2\r\n$9\r\nSUBSCRIBE\r\n$6\r\nroom:4\r\n*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n"
            "*2\r\n$9\r\nSUBSCRIBE\r\n$5\r\nsport\r\n");
  client.incoming += "+OK\r\n:1\r\n:1\r\n";
  CommandOutcome wrong = run(0, client);
  EXPECT_EQ(wrong.kind, CommandOutcome::Kind::script_error);
  EXPECT_EQ(wrong.message, "subscribe: unexpected reply to SUBSCRIBE: +OK\r\n");
  ASSERT_NE(redis.push_handler(), nullptr);
}

TEST_F(RedisBuiltinTest, PushedMessagesAreCountedPerChannelWithTheirStamp) {
  ModuleInstance& redis = instance("protocol: redis\nactions: [{command: ping}]\n");
  PushHandler& pushes = *redis.push_handler();
  FakeClient client;
  const std::string message = "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n";
  // Not subscribed: an array that reads like a message is a reply.
  EXPECT_FALSE(pushes.is_push(client, message));
  builtin::connection_state<State>(client).subscribed = true;
  EXPECT_TRUE(pushes.is_push(client, message));
  EXPECT_TRUE(pushes.is_push(client, ">4\r\n$8\r\npmessage\r\n$1\r\n*\r\n$1\r\nb\r\n$1\r\nx\r\n"));
  EXPECT_FALSE(pushes.is_push(client, "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"));
  EXPECT_FALSE(pushes.is_push(client, "+PONG\r\n"));

  char stamp[core::kStampSize];
  core::write_stamp(stamp, 1234567890123456789);
  const std::string stamped = std::string(stamp, sizeof stamp) + "rest";
  EXPECT_EQ(pushes.on_push(client, message).kind, CommandOutcome::Kind::ok);
  pushes.on_push(client, ">3\r\n$7\r\nmessage\r\n$5\r\nsport\r\n$" +
                             std::to_string(stamped.size()) + "\r\n" + stamped + "\r\n");
  pushes.on_push(client, "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:0\r\n");  // not a message
  EXPECT_THAT(client.received,
              ElementsAre(std::pair<std::string, std::int64_t>{"news", 0},
                          std::pair<std::string, std::int64_t>{"sport", 1234567890123456789}));
}

TEST_F(RedisBuiltinTest, OnConnectSendsHelloAuthAndSelectTogether) {
  ModuleInstance& redis = instance(R"(protocol: redis
on_connect: {hello: 3, password: secret, db: 2}
actions: [{command: ping}]
)");
  EXPECT_EQ(module_->hooks(plan_).on_connect, true);
  FakeClient client;
  client.incoming = "%1\r\n+server\r\n+redis\r\n+OK\r\n";
  EXPECT_EQ(hook_now(redis, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.pipelined, ElementsAre(2u));
  EXPECT_EQ(client.sent[0],
            "*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$6\r\nsecret\r\n"
            "*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n");
  EXPECT_TRUE(builtin::connection_state<State>(client).resp3);
  // Refused: the connection fails with redis's words.
  client.incoming += "-NOPROTO unsupported protocol version\r\n+OK\r\n";
  CommandOutcome refused = hook_now(redis, client);
  EXPECT_EQ(refused.kind, CommandOutcome::Kind::script_error);
  EXPECT_EQ(refused.message, "on_connect: redis refused: -NOPROTO unsupported protocol version");
}

TEST_F(RedisBuiltinTest, NoSettingsNoOnConnect) {
  instance("protocol: redis\nactions: [{command: ping}]\n");
  EXPECT_EQ(module_->hooks(plan_).on_connect, false);
  EXPECT_EQ(report_rows(*module_, plan_), std::vector<std::string>{"ping"});
  instance(
      "protocol: redis\non_connect: {db: 1}\nactions: [{command: command, args: {words: [ZADD, z, "
      "1, m]}}]\n");
  EXPECT_EQ(report_rows(*module_, plan_), (std::vector<std::string>{"command ZADD", "on_connect"}));
}

TEST_F(RedisBuiltinTest, PlanProblemsSayWhere) {
  EXPECT_EQ(problems(R"(protocol: redis
on_connect: {hello: 4, user: x}
actions:
  - command: set
    args: {key: "k:{rand:9-1}", size: 10}
  - command: sett
  - command: get
    args: {colour: red, key: k}
  - command: get
  - command: set
    args: {key: x, size: ten}
  - command: set
    args: {key: x}
  - command: subscribe
  - command: command
    args: {words: [GET, [nested]]}
  - command: ping
    args: {pipeline: 0}
)"),
            "plan.yml:2:30: on_connect does not take setting 'user' (takes: hello, username, "
            "password, db)\n"
            "plan.yml:5:17: command 'set' arg 'key': bad substitution '{rand:9-1}' (expected "
            "{rand:LO-HI}, whole numbers, LO <= HI)\n"
            "plan.yml:6:14: unknown command 'sett' (module redis has: command, del, get, hget, "
            "hset, incr, lpush, ping, publish, rpop, set, subscribe)\n"
            "plan.yml:8:20: command 'get' does not take arg 'colour' (takes: key, pipeline)\n"
            "plan.yml:9:14: command 'get' needs arg 'key' (text)\n"
            "plan.yml:11:26: command 'set' arg 'size': expected a whole number, got 'ten'\n"
            "plan.yml:13:11: command 'set' needs arg 'value' (text) or 'size' (a whole number)\n"
            "plan.yml:14:14: command 'subscribe' needs arg 'channel' (text) or 'channels' (a list "
            "of text)\n"
            "plan.yml:16:25: command 'command' arg 'words': expected a list of text, got a list\n"
            "plan.yml:18:22: command 'ping' arg 'pipeline': expected 1 to 10000, got 0");
  EXPECT_EQ(problems("protocol: redis\non_connect: {hello: 4}\nactions: [{command: ping}]\n"),
            "plan.yml:2:21: on_connect setting 'hello': expected 2 to 3, got 4");
}

}  // namespace
}  // namespace swarm::protocol
