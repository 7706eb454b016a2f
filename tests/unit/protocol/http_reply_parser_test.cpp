// HttpReplyParser: HTTP/1.x responses framed in every split and chunk size
// (Content-Length, chunked with extensions and trailers, no body, the
// close), back to back, interim 1xx responses, what keeps a connection
// alive, and garbage rejected with what and where.
#include "protocol/builtin/http/http_reply_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "parser_feeding.hpp"

namespace swarm::protocol {
namespace {

using builtin::http::HttpReplyParser;
using testing::expect_incomplete;
using testing::expect_invalid;
using testing::expect_reply;
using testing::feed_in_chunks;
using ::testing::HasSubstr;

using Sizes = std::vector<std::size_t>;
using State = ReplyParser::State;

const std::string kOk = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 6\r\n\r\nhello\n";
const std::string kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    "5;name=value;other=\"quoted\"\r\nhello\r\n"
    "1\r\n\n\r\n"
    "0;last\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n";
const std::string kNoContent = "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n";

TEST(HttpReplyParser, ContentLengthInEverySplit) {
  HttpReplyParser parser;
  expect_reply(parser, kOk, kOk);
  expect_reply(parser, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", kNoContent);
  EXPECT_EQ(parser.status(), 200u);
  EXPECT_TRUE(parser.keep_alive());
  expect_incomplete(parser, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
  expect_incomplete(parser, "HTTP/1.1 200 OK\r\nContent-Len");
}

TEST(HttpReplyParser, ChunkedWithExtensionsAndTrailers) {
  HttpReplyParser parser;
  expect_reply(parser, kChunked, kOk);
  EXPECT_EQ(parser.status(), 200u);
  EXPECT_TRUE(parser.keep_alive());
  // The body holds what looks like a response: it is data, skipped.
  expect_reply(parser,
               "HTTP/1.1 503 Busy\r\ntransfer-encoding: chunked\r\n\r\n"
               "18\r\nHTTP/1.1 200 OK\r\n\r\n0\r\n\r\n\r\n0\r\n\r\n",
               "x");
  EXPECT_EQ(parser.status(), 503u);
  expect_incomplete(parser, kChunked.substr(0, kChunked.size() - 2));
}

TEST(HttpReplyParser, NoBodyFor204And304AndHead) {
  HttpReplyParser parser;
  expect_reply(parser, kNoContent, kOk);
  // 304 says how long the body would be; there is none.
  expect_reply(parser, "HTTP/1.1 304 Not Modified\r\nContent-Length: 120\r\n\r\n", kOk);
  HttpReplyParser head(true);
  expect_reply(head, "HTTP/1.1 200 OK\r\nContent-Length: 612\r\n\r\n", kOk);
  expect_reply(head, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", kNoContent);
  EXPECT_TRUE(head.keep_alive());
}

TEST(HttpReplyParser, InterimResponsesBelongToTheReply) {
  HttpReplyParser parser;
  const std::string reply =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + kOk;
  expect_reply(parser, reply, kNoContent);
  EXPECT_EQ(parser.status(), 200u);
  EXPECT_EQ(parser.interim(), 2u);
  expect_incomplete(parser, "HTTP/1.1 100 Continue\r\n\r\n");
}

TEST(HttpReplyParser, BackToBackReplies) {
  HttpReplyParser parser;
  const std::string stream = kOk + kChunked + kNoContent + kOk;
  EXPECT_EQ(testing::split_pipeline(parser, stream),
            (Sizes{kOk.size(), kChunked.size(), kNoContent.size(), kOk.size()}));
  // In one chunk, each reply ends where it should.
  parser.begin();
  auto step = parser.feed(stream);
  EXPECT_EQ(step.state, State::done);
  EXPECT_EQ(step.consumed, kOk.size());
}

TEST(HttpReplyParser, WhatKeepsTheConnection) {
  HttpReplyParser parser;
  auto keeps = [&](const std::string& reply) {
    EXPECT_EQ(feed_in_chunks(parser, reply, 7).state, State::done) << reply;
    return parser.keep_alive();
  };
  EXPECT_TRUE(keeps(kOk));
  EXPECT_FALSE(keeps("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx"));
  EXPECT_FALSE(keeps("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"));
  EXPECT_TRUE(keeps("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\nx"));
  EXPECT_FALSE(
      keeps("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
            "Upgrade: websocket\r\n\r\n"));
  EXPECT_EQ(parser.status(), 101u);
}

TEST(HttpReplyParser, ABodyFramedByTheClose) {
  const std::string reply = "HTTP/1.1 200 OK\r\nServer: old\r\n\r\nall of it, to the end";
  for (std::size_t chunk = 1; chunk <= reply.size(); ++chunk) {
    HttpReplyParser parser;
    EXPECT_EQ(feed_in_chunks(parser, reply, chunk).state, State::need_more);
    EXPECT_TRUE(parser.ends_at_close()) << chunk;
    EXPECT_EQ(parser.status(), 200u);
    EXPECT_FALSE(parser.keep_alive());
  }
  // A close anywhere else cuts the reply short.
  for (const std::string& cut : {std::string("HTTP/1.1 200 OK\r\nServ"), kOk.substr(0, 55),
                                 kChunked.substr(0, 70), std::string()}) {
    HttpReplyParser parser;
    parser.begin();
    if (!cut.empty()) {
      EXPECT_EQ(parser.feed(cut).state, State::need_more);
    }
    EXPECT_FALSE(parser.ends_at_close()) << cut;
  }
}

TEST(HttpReplyParser, GarbageIsRejectedSayingWhatAndWhere) {
  HttpReplyParser parser;
  expect_invalid(parser, "SSH-2.0-OpenSSH_9.2\r\n");
  expect_invalid(parser, "HTTP/1.1 2x0 OK\r\n\r\n");
  expect_invalid(parser, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
  expect_invalid(parser, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n");
  parser.begin();
  auto step = parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 2x0\r\n");
  ASSERT_EQ(step.state, State::done);
  parser.begin();
  step = parser.feed("HTTP/1.1 2x0 OK\r\n");
  ASSERT_EQ(step.state, State::invalid);
  EXPECT_EQ(step.consumed, 10u);
  EXPECT_EQ(parser.error(),
            "HTTP reply: invalid HTTP status code (HPE_INVALID_STATUS) at offset 10 of the reply, "
            "near \"HTTP/1.1 2x0 OK\\r\\n\"");
  // Bytes no text can show are escaped.
  parser.begin();
  ASSERT_EQ(parser.feed(std::string("\x16\x03\x01\x02\x00", 5)).state, State::invalid);
  EXPECT_THAT(parser.error(), HasSubstr("at offset 0 of the reply, near \"\\x16\\x03"));
}

}  // namespace
}  // namespace swarm::protocol
