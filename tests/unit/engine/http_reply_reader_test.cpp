// The reply reader framing HTTP responses with the http protocol's parser,
// the way a connection does: every stream cut at every position and in
// chunks, read through one reused buffer (scribbled over after each read, so
// a view kept into an old read shows up); responses back to back; and a body
// that runs to the server's close, completed by end_of_stream().
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "engine/reply_reader.hpp"
#include "protocol/builtin/http/http_reply_parser.hpp"
#include "swarm/reply_parsers.hpp"

namespace swarm::engine {
namespace {

using protocol::builtin::http::HttpReplyParser;
using State = ReplyParser::State;

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nhello\n";
const std::string kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\n5\r\npedia\r\n"
    "0\r\nExpires: never\r\n\r\n";
const std::string kContinue =
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n";

/// Reads `stream` as the reads `cuts` make, into one reused buffer, framing
/// replies one after the other; returns them (copied before the next call),
/// and whether the stream ended in the middle of one (`cut`).
struct Framed {
  std::vector<std::string> replies;
  bool invalid = false;
  bool pending = false;  // the last reply still needs bytes
};

Framed frame_all(std::string_view stream, const std::vector<std::size_t>& cuts, bool head = false) {
  std::vector<std::string_view> reads;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    if (cut <= at || cut >= stream.size()) continue;
    reads.push_back(stream.substr(at, cut - at));
    at = cut;
  }
  if (at < stream.size()) reads.push_back(stream.substr(at));
  ReplyReader reader;
  HttpReplyParser parser(head);
  std::string buffer;
  std::size_t next = 0;
  Framed out;
  for (;;) {
    reader.release_if_empty();
    ReplyReader::Step step = reader.begin(parser);
    while (step.state == State::need_more && next < reads.size()) {
      buffer.assign(buffer.size(), '#');
      buffer.assign(reads[next++]);
      step = reader.feed(parser, buffer);
    }
    if (step.state == State::invalid) {
      out.invalid = true;
      return out;
    }
    if (step.state == State::need_more) {
      out.pending = reader.held_bytes() > 0;
      // The stream ends here: the close may complete the reply.
      step = reader.end_of_stream(parser);
      if (step.state == State::done && !step.reply.empty()) {
        out.replies.emplace_back(step.reply);
        out.pending = false;
      }
      return out;
    }
    out.replies.emplace_back(step.reply);
    buffer.assign(buffer.size(), '#');
  }
}

void expect_framed(const std::vector<std::string>& replies, bool head = false) {
  std::string stream;
  for (const std::string& reply : replies) stream += reply;
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    Framed got = frame_all(stream, {cut}, head);
    ASSERT_FALSE(got.invalid) << "cut " << cut;
    ASSERT_EQ(got.replies, replies) << "cut " << cut;
    for (std::size_t second = cut + 1; second < stream.size(); second += 7) {
      ASSERT_EQ(frame_all(stream, {cut, second}, head).replies, replies) << cut << "," << second;
    }
  }
  for (std::size_t chunk : {1, 2, 5, 10, 100, 100000}) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = chunk; at < stream.size(); at += chunk) cuts.push_back(at);
    ASSERT_EQ(frame_all(stream, cuts, head).replies, replies) << "chunk " << chunk;
  }
}

TEST(HttpReplyReader, ResponsesBackToBackAtEverySplit) {
  expect_framed({kOk, kChunked, kContinue, kOk});
  expect_framed({kChunked, kChunked});
  expect_framed({"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
                 "HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\n"},
                true);  // HEAD
}

TEST(HttpReplyReader, ABodyFramedByTheCloseEndsWithTheStream) {
  const std::string last = "HTTP/1.0 200 OK\r\nServer: old\r\n\r\nthe body runs to the close";
  expect_framed({kOk, last});
  // Cut short: nothing to hand back, the reply is still pending.
  Framed cut = frame_all(kOk + kOk.substr(0, 30), {});
  EXPECT_EQ(cut.replies, std::vector<std::string>{kOk});
  EXPECT_TRUE(cut.pending);
}

TEST(HttpReplyReader, OtherParsersAreNotEndedByAClose) {
  ReplyReader reader;
  protocol::CrlfParser parser;
  reader.begin(parser);
  std::string bytes = "no end of line";
  EXPECT_EQ(reader.feed(parser, bytes).state, State::need_more);
  EXPECT_EQ(reader.end_of_stream(parser).state, State::need_more);
}

TEST(HttpReplyReader, GarbageAfterAGoodReplyIsRejected) {
  Framed got = frame_all(kOk + "garbage\r\n\r\n", {3, kOk.size() + 2});
  EXPECT_EQ(got.replies, std::vector<std::string>{kOk});
  EXPECT_TRUE(got.invalid);
}

}  // namespace
}  // namespace swarm::engine
