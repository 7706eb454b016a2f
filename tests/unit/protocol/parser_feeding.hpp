// Helpers that feed a reply parser the way the engine does, in any split of
// the stream, and check the ReplyParser contract on the way.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "swarm/reply_parser.hpp"

namespace swarm::protocol::testing {

/// What feeding a stream produced: where the first reply ended, or why not.
struct FeedResult {
  ReplyParser::State state = ReplyParser::State::need_more;  // final state
  std::size_t consumed = 0;  // bytes of the stream that the reply took
};

/// Feeds `stream` from a fresh begin() in chunks of `chunk` bytes until the
/// parser says done or invalid (or the stream runs out).
inline FeedResult feed_in_chunks(ReplyParser& parser, std::string_view stream, std::size_t chunk) {
  parser.begin();
  FeedResult result;
  while (result.consumed < stream.size()) {
    std::string_view piece = stream.substr(result.consumed, chunk);
    ReplyParser::Step step = parser.feed(piece);
    EXPECT_LE(step.consumed, piece.size());
    result.consumed += step.consumed;
    result.state = step.state;
    if (step.state != ReplyParser::State::need_more) break;
    EXPECT_EQ(step.consumed, piece.size()) << "need_more must take every byte";
  }
  return result;
}

/// Feeds `stream` as two chunks split at `split`.
inline FeedResult feed_split(ReplyParser& parser, std::string_view stream, std::size_t split) {
  parser.begin();
  FeedResult result;
  for (std::string_view piece : {stream.substr(0, split), stream.substr(split)}) {
    if (piece.empty()) continue;
    ReplyParser::Step step = parser.feed(piece);
    result.consumed += step.consumed;
    result.state = step.state;
    if (step.state != ReplyParser::State::need_more) break;
  }
  return result;
}

/// Checks that `reply` parses to done, taking all of it, in every chunk size
/// and at every split, also when followed by `tail` (the next reply).
inline void expect_reply(ReplyParser& parser, std::string_view reply, std::string_view tail = "") {
  std::string stream = std::string(reply) + std::string(tail);
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    FeedResult result = feed_in_chunks(parser, stream, chunk);
    ASSERT_EQ(result.state, ReplyParser::State::done) << "chunk " << chunk;
    ASSERT_EQ(result.consumed, reply.size()) << "chunk " << chunk;
  }
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    FeedResult result = feed_split(parser, stream, split);
    ASSERT_EQ(result.state, ReplyParser::State::done) << "split " << split;
    ASSERT_EQ(result.consumed, reply.size()) << "split " << split;
  }
}

/// Checks that `stream` is rejected in every chunk size.
inline void expect_invalid(ReplyParser& parser, std::string_view stream) {
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    FeedResult result = feed_in_chunks(parser, stream, chunk);
    ASSERT_EQ(result.state, ReplyParser::State::invalid) << "chunk " << chunk;
    ASSERT_FALSE(parser.error().empty());
  }
}

/// Checks that `stream` is an incomplete reply in every chunk size.
inline void expect_incomplete(ReplyParser& parser, std::string_view stream) {
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    FeedResult result = feed_in_chunks(parser, stream, chunk);
    ASSERT_EQ(result.state, ReplyParser::State::need_more) << "chunk " << chunk;
    ASSERT_EQ(result.consumed, stream.size());
  }
}

/// Feeds pipelined replies in one stream the way the engine does: each
/// reply starts with begin() on the bytes the previous one left. Returns the
/// sizes of the replies found.
inline std::vector<std::size_t> split_pipeline(ReplyParser& parser, std::string_view stream) {
  std::vector<std::size_t> sizes;
  while (!stream.empty()) {
    parser.begin();
    ReplyParser::Step step = parser.feed(stream);
    if (step.state != ReplyParser::State::done) break;
    sizes.push_back(step.consumed);
    stream.remove_prefix(step.consumed);
  }
  return sizes;
}

}  // namespace swarm::protocol::testing
