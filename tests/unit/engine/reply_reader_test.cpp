// The reply reader against a scripted byte source: every stream is replayed
// cut at every position (once and twice) and in chunks of 1, 2, 5, 10, 100
// and 100000 bytes, the way reads may split it. The source copies each chunk
// into one reused buffer and scribbles over it after each call, as the
// worker's shared read buffer is reused, so a reply kept as a view into an
// old read shows up as garbage.
#include "engine/reply_reader.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "swarm/reply_parsers.hpp"
#include "swarm/resp_parser.hpp"

namespace swarm::engine {
namespace {

using State = ReplyParser::State;

/// Plays a stream as a list of reads into one reused buffer.
class ByteSource {
 public:
  /// `stream` cut at `cuts` (ascending; cuts at either end are ignored).
  ByteSource(std::string_view stream, const std::vector<std::size_t>& cuts) {
    std::size_t at = 0;
    for (std::size_t cut : cuts) {
      if (cut <= at || cut >= stream.size()) continue;
      reads_.push_back(stream.substr(at, cut - at));
      at = cut;
    }
    if (at < stream.size()) reads_.push_back(stream.substr(at));
  }
  static ByteSource chunked(std::string_view stream, std::size_t chunk) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = chunk; at < stream.size(); at += chunk) cuts.push_back(at);
    return ByteSource(stream, cuts);
  }

  bool empty() const { return next_ == reads_.size(); }
  /// The next read, in the reused buffer.
  std::string_view read() {
    scribble();
    std::string_view piece = reads_[next_++];
    buffer_.assign(piece);
    return buffer_;
  }
  /// What a later read does to the buffer: overwrites it.
  void scribble() { buffer_.assign(buffer_.size(), '#'); }

 private:
  std::vector<std::string_view> reads_;  // the stream, cut
  std::size_t next_ = 0;                 // next read
  std::string buffer_;                   // the "worker's read buffer"
};

/// Takes lines starting with '>' as pushes, framed by CRLF.
class LinePushes final : public PushSink {
 public:
  ReplyParser& framer() override { return framer_; }
  bool is_push(std::string_view message) override { return message.starts_with('>'); }
  void on_push(std::string_view message) override { pushes.emplace_back(message); }

  std::vector<std::string> pushes;  // received, in order

 private:
  protocol::CrlfParser framer_;
};

/// Reads `count` replies the way the connection does: begin(), then a read
/// and feed() while more is needed. Each reply is copied before the next
/// call, as the view dies there.
std::vector<std::string> read_replies(ReplyReader& reader, ReplyParser& parser, ByteSource& source,
                                      std::size_t count, PushSink* pushes = nullptr) {
  std::vector<std::string> replies;
  for (std::size_t i = 0; i < count; ++i) {
    reader.release_if_empty();  // as before each request
    ReplyReader::Step step = reader.begin(parser, pushes);
    while (step.state == State::need_more && !source.empty()) {
      step = reader.feed(parser, source.read(), pushes);
    }
    if (step.state != State::done) break;
    replies.emplace_back(step.reply);
    source.scribble();
  }
  return replies;
}

/// Every way to cut `stream`: each single cut, each pair, and fixed chunks.
template <class Check>
void for_every_split(std::string_view stream, Check check) {
  for (std::size_t chunk : {1, 2, 5, 10, 100, 100000}) {
    ByteSource source = ByteSource::chunked(stream, chunk);
    check(source, "chunk " + std::to_string(chunk));
  }
  for (std::size_t a = 1; a < stream.size(); ++a) {
    for (std::size_t b = a; b < stream.size(); ++b) {
      ByteSource source(stream, {a, b});
      check(source, "cuts " + std::to_string(a) + "," + std::to_string(b));
    }
  }
}

const std::vector<std::string> kResp = {
    "+OK\r\n",     "$5\r\nhello\r\n", "*2\r\n$1\r\na\r\n:12\r\n",
    "-ERR no\r\n", "$-1\r\n",         "*3\r\n*1\r\n+x\r\n$0\r\n\r\n:-7\r\n"};

std::string joined(const std::vector<std::string>& parts) {
  std::string all;
  for (const auto& part : parts) all += part;
  return all;
}

TEST(ReplyReaderTest, OneReplyInAnySplit) {
  for (const std::string& reply : kResp) {
    for_every_split(reply, [&](ByteSource& source, const std::string& how) {
      ReplyReader reader;
      protocol::RespParser parser;
      EXPECT_EQ(read_replies(reader, parser, source, 1), std::vector<std::string>{reply}) << how;
      reader.release_if_empty();  // the next request lets go of the reply
      EXPECT_EQ(reader.memory_bytes(), 0u) << how;
    });
  }
}

TEST(ReplyReaderTest, PipelinedRepliesInAnySplit) {
  const std::string stream = joined(kResp);
  for_every_split(stream, [&](ByteSource& source, const std::string& how) {
    ReplyReader reader;
    protocol::RespParser parser;
    ASSERT_EQ(read_replies(reader, parser, source, kResp.size()), kResp) << how;
    reader.release_if_empty();
    EXPECT_EQ(reader.memory_bytes(), 0u) << how;
  });
}

TEST(ReplyReaderTest, PipelinedRepliesInOneReadNeedNoFurtherRead) {
  const std::string stream = joined(kResp);
  ByteSource source(stream, {});
  ReplyReader reader;
  protocol::RespParser parser;
  ASSERT_EQ(read_replies(reader, parser, source, 1), std::vector<std::string>{kResp[0]});
  ASSERT_TRUE(source.empty());
  // The rest was kept: every further reply is framed from it, without a read.
  for (std::size_t i = 1; i < kResp.size(); ++i) {
    ReplyReader::Step step = reader.begin(parser);
    ASSERT_EQ(step.state, State::done) << i;
    EXPECT_EQ(step.reply, kResp[i]);
  }
  EXPECT_EQ(reader.begin(parser).state, State::need_more);
}

TEST(ReplyReaderTest, ParsersWithOtherFramings) {
  const std::string stream = "line one\r\nABCDEFGHIJ" + std::string("\x00\x03xyz", 5) + "tail\n";
  for_every_split(stream, [&](ByteSource& source, const std::string& how) {
    ReplyReader reader;
    protocol::CrlfParser line;
    protocol::LengthParser fixed(10);
    protocol::PrefixedParser prefixed(protocol::PrefixedFormat{.bytes = 2});
    protocol::DelimiterParser until_newline(std::string("\n"));
    EXPECT_EQ(read_replies(reader, line, source, 1), std::vector<std::string>{"line one\r\n"})
        << how;
    EXPECT_EQ(read_replies(reader, fixed, source, 1), std::vector<std::string>{"ABCDEFGHIJ"})
        << how;
    EXPECT_EQ(read_replies(reader, prefixed, source, 1),
              std::vector<std::string>{std::string("\x00\x03xyz", 5)})
        << how;
    EXPECT_EQ(read_replies(reader, until_newline, source, 1), std::vector<std::string>{"tail\n"})
        << how;
  });
}

TEST(ReplyReaderTest, InvalidBytesAreReported) {
  for_every_split("+OK\r\n!junk\r\n", [&](ByteSource& source, const std::string& how) {
    ReplyReader reader;
    protocol::RespParser parser;
    ASSERT_EQ(read_replies(reader, parser, source, 1), std::vector<std::string>{"+OK\r\n"}) << how;
    ReplyReader::Step step = reader.begin(parser);
    while (step.state == State::need_more && !source.empty()) {
      step = reader.feed(parser, source.read());
    }
    EXPECT_EQ(step.state, State::invalid) << how;
  });
}

TEST(ReplyReaderTest, PushesBeforeAReplyAreTakenOut) {
  // Pushed lines arrive while the reply is awaited, in the same reads.
  const std::string stream = ">news 1\r\n>news 2\r\n+OK\r\n>news 3\r\n:5\r\n";
  for_every_split(stream, [&](ByteSource& source, const std::string& how) {
    ReplyReader reader;
    protocol::CrlfParser parser;
    LinePushes pushes;
    EXPECT_EQ(read_replies(reader, parser, source, 2, &pushes),
              (std::vector<std::string>{"+OK\r\n", ":5\r\n"}))
        << how;
    EXPECT_EQ(pushes.pushes,
              (std::vector<std::string>{">news 1\r\n", ">news 2\r\n", ">news 3\r\n"}))
        << how;
  });
}

TEST(ReplyReaderTest, PushesBetweenRepliesAreFinishedBeforeTheNextReply) {
  // The connection sleeps between commands and takes what arrives as
  // pushes; the first part ends inside a push, whose rest precedes the reply.
  const std::string idle = ">a\r\n>bb\r\n>cc";
  const std::string after = "c\r\n+PONG\r\n";
  const std::string stream = idle + after;
  for (std::size_t cut = 0; cut <= idle.size(); ++cut) {
    for_every_split(after, [&](ByteSource& source, const std::string& how) {
      ReplyReader reader;
      LinePushes pushes;
      ByteSource idle_reads(idle, {cut});
      while (!idle_reads.empty()) {
        ASSERT_EQ(reader.take_pushes(pushes, idle_reads.read()), ReplyReader::PushState::ok);
        idle_reads.scribble();
      }
      EXPECT_EQ(pushes.pushes, (std::vector<std::string>{">a\r\n", ">bb\r\n"})) << how;
      protocol::RespParser parser;
      EXPECT_EQ(read_replies(reader, parser, source, 1, &pushes),
                std::vector<std::string>{"+PONG\r\n"})
          << "idle cut " << cut << ", " << how;
      EXPECT_EQ(pushes.pushes.back(), ">ccc\r\n") << how;
    });
  }
}

TEST(ReplyReaderTest, BytesLeftAfterAReplyAreTakenAsPushesBetweenCommands) {
  const std::string stream = "+OK\r\n>late\r\n>cut";
  ByteSource source(stream, {});
  ReplyReader reader;
  protocol::RespParser parser;
  LinePushes pushes;
  ASSERT_EQ(read_replies(reader, parser, source, 1, &pushes), std::vector<std::string>{"+OK\r\n"});
  ASSERT_EQ(reader.take_pushes(pushes), ReplyReader::PushState::ok);
  EXPECT_EQ(pushes.pushes, std::vector<std::string>{">late\r\n"});
  EXPECT_GT(reader.memory_bytes(), 0u);  // ">cut" waits for its end
  ASSERT_EQ(reader.take_pushes(pushes, "\r\n"), ReplyReader::PushState::ok);
  EXPECT_EQ(pushes.pushes.back(), ">cut\r\n");
  reader.release_if_empty();
  EXPECT_EQ(reader.memory_bytes(), 0u);
}

TEST(ReplyReaderTest, InvalidPushIsReported) {
  ReplyReader reader;
  LinePushes pushes;
  EXPECT_EQ(reader.take_pushes(pushes, ">ok\r\n"), ReplyReader::PushState::ok);
  // A framer that takes nothing would loop forever: refused.
  class Empty final : public PushSink {
   public:
    ReplyParser& framer() override { return framer_; }
    bool is_push(std::string_view) override { return true; }
    void on_push(std::string_view) override {}
    protocol::LengthParser framer_{0};
  } empty;
  EXPECT_EQ(reader.take_pushes(empty, "x"), ReplyReader::PushState::invalid);
}

TEST(ReplyReaderTest, AWholeReplyInOneReadKeepsNothing) {
  ReplyReader reader;
  protocol::CrlfParser parser;
  ReplyReader::Step step = reader.begin(parser);
  ASSERT_EQ(step.state, State::need_more);
  std::string buffer = "+PONG\r\n";
  step = reader.feed(parser, buffer);
  ASSERT_EQ(step.state, State::done);
  EXPECT_EQ(step.reply.data(), buffer.data());  // a view into the read, no copy
  EXPECT_EQ(reader.memory_bytes(), 0u);
}

TEST(ReplyReaderTest, ABigReplysBufferDoesNotOutliveTheCommand) {
  ReplyReader reader;
  protocol::CrlfParser parser;
  reader.begin(parser);
  const std::string big(256 * 1024, 'b');
  ReplyReader::Step step{};
  for (std::size_t at = 0; at < big.size(); at += 4096)
    step = reader.feed(parser, big.substr(at, 4096));
  ASSERT_EQ(step.state, State::need_more);
  EXPECT_EQ(reader.held_bytes(), big.size());
  // The end of the reply, and the start of the next one in the same read.
  step = reader.feed(parser, "\r\n+NE");
  ASSERT_EQ(step.state, State::done);
  EXPECT_EQ(step.reply.size(), big.size() + 2);
  EXPECT_GE(reader.memory_bytes(), big.size());
  reader.shrink();
  EXPECT_LT(reader.memory_bytes(), 1024u);  // only the 3 bytes still to come
  EXPECT_EQ(reader.held_bytes(), 3u);
  reader.begin(parser);
  step = reader.feed(parser, "XT\r\n");
  ASSERT_EQ(step.state, State::done);
  EXPECT_EQ(step.reply, "+NEXT\r\n");
  reader.shrink();
  EXPECT_EQ(reader.memory_bytes(), 0u);
}

}  // namespace
}  // namespace swarm::engine
