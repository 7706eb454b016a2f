// The built-in parsers, fed every way the engine might split a stream.
#include "swarm/reply_parsers.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "parser_feeding.hpp"

namespace swarm::protocol {
namespace {

using testing::expect_incomplete;
using testing::expect_invalid;
using testing::expect_reply;
using testing::split_pipeline;
using Sizes = std::vector<std::size_t>;

TEST(CrlfParser, EndsAtFirstCrlfInEverySplit) {
  CrlfParser parser;
  expect_reply(parser, "+PONG\r\n");
  expect_reply(parser, "\r\n");
  expect_reply(parser, "a\rb\r\rc\r\n", "next\r\n");
}

TEST(CrlfParser, LoneCrDoesNotEndTheReply) {
  CrlfParser parser;
  expect_incomplete(parser, "abc\rX\ndef\r");
  expect_incomplete(parser, "\n\r\r");
}

TEST(CrlfParser, PipelinedRepliesEachEndAtTheirCrlf) {
  CrlfParser parser;
  EXPECT_EQ(split_pipeline(parser, "+OK\r\n:1\r\n\r\nlast\r\n"), (Sizes{5, 4, 2, 6}));
}

TEST(LengthParser, TakesExactlyItsLength) {
  LengthParser parser(5);
  expect_reply(parser, "abcde", "fgh");
  EXPECT_EQ(split_pipeline(parser, "0123456789ab"), (Sizes{5, 5}));
  parser.set_length(1);
  expect_reply(parser, "x", "yz");
}

TEST(LengthParser, ZeroLengthIsDoneAtOnce) {
  LengthParser parser(0);
  parser.begin();
  ReplyParser::Step step = parser.feed("abc");
  EXPECT_EQ(step.consumed, 0u);
  EXPECT_EQ(step.state, ReplyParser::State::done);
}

TEST(DelimiterParser, FindsDelimiterSplitAnywhere) {
  DelimiterParser parser("END");
  expect_reply(parser, "helloEND", "tailEND");
  expect_reply(parser, "EEENEEND", "END");  // restarts after partial matches
  expect_incomplete(parser, "ENENENE");
}

TEST(DelimiterParser, SelfOverlappingDelimiterUsesFallback) {
  DelimiterParser parser("abab");
  expect_reply(parser, "xabaabab", "abab");  // a mismatch after "aba" keeps "a"
  DelimiterParser longer("ababc");
  expect_reply(longer, "abababc", "ababc");  // a mismatch after "abab" keeps "ab"
  DelimiterParser blank_line("\r\n\r\n");
  expect_reply(blank_line, "HTTP/1.1 200 OK\r\nA: b\r\n\r\n", "body");
  EXPECT_EQ(split_pipeline(blank_line, "a\r\n\r\n\r\n\r\nb\r\n\r\n"), (Sizes{5, 4, 5}));
}

TEST(DelimiterParser, BorrowedPatternAndEmptyDelimiter) {
  DelimiterPattern pattern("||");
  DelimiterParser parser(&pattern);
  expect_reply(parser, "a|b||", "c||");
  EXPECT_THROW(DelimiterParser(""), std::invalid_argument);
}

TEST(PrefixedParser, BigEndianLengthOfPayload) {
  PrefixedParser parser({.bytes = 4});
  expect_reply(parser, std::string("\0\0\0\3abc", 7), std::string("\0\0\0\0", 4));
  expect_reply(parser, std::string("\0\0\0\0", 4), "zz");
}

TEST(PrefixedParser, LittleEndianWithOffsetAndAdjust) {
  // 2 bytes of type, then a 2-byte little-endian length of the whole frame.
  PrefixedParser parser(
      {.bytes = 2, .endian = PrefixedFormat::Endian::little, .offset = 2, .adjust = -4});
  expect_reply(parser, std::string("T1\x07\0xyz", 7), "next");
  PrefixedParser one({.bytes = 1, .adjust = 1});  // length plus a trailing byte
  expect_reply(one,
               "\x02"
               "ab!",
               "?");
}

TEST(PrefixedParser, EightByteLengthAndPipelining) {
  PrefixedParser parser({.bytes = 8});
  std::string frame = std::string(7, '\0') + "\x02" + "hi";
  expect_reply(parser, frame, frame);
  EXPECT_EQ(split_pipeline(parser, frame + frame + frame), (Sizes{10, 10, 10}));
}

TEST(PrefixedParser, GuardsAgainstHugeAndNegativeFrames) {
  PrefixedParser parser({.bytes = 4, .max_frame = 100});
  expect_invalid(parser, std::string("\0\0\1\0rest", 8));
  expect_invalid(parser, std::string("\xff\xff\xff\xff", 4));
  PrefixedParser shrinking({.bytes = 1, .adjust = -5});
  expect_invalid(shrinking, "\x02zz");
  PrefixedParser huge({.bytes = 8});
  expect_invalid(huge, std::string(8, '\xff'));
  EXPECT_THROW(PrefixedParser({.bytes = 3}), std::invalid_argument);
}

TEST(RespParser, EveryTypeInEverySplit) {
  RespParser parser;
  expect_reply(parser, "+PONG\r\n", "+OK\r\n");
  expect_reply(parser, "-ERR unknown command\r\n", ":1\r\n");
  expect_reply(parser, ":-42\r\n", "$-1\r\n");
  expect_reply(parser, "$5\r\nhe\r\no\r\n", "*-1\r\n");
  expect_reply(parser, "$0\r\n\r\n", "*0\r\n");
  expect_reply(parser, "$-1\r\n", "+x\r\n");
  expect_reply(parser, "*-1\r\n", "*0\r\n");
  expect_reply(parser, "*0\r\n", ":0\r\n");
}

TEST(RespParser, NestedArrays) {
  RespParser parser;
  expect_reply(parser, "*3\r\n:1\r\n*2\r\n$3\r\nfoo\r\n$-1\r\n*1\r\n*0\r\n", "+next\r\n");
  expect_reply(parser, "*2\r\n*1\r\n*1\r\n+deep\r\n-err\r\n", "*1\r\n");
  expect_incomplete(parser, "*2\r\n:1\r\n*2\r\n$3\r\nfoo\r\n");
}

TEST(RespParser, PipelinedReplies) {
  RespParser parser;
  std::string stream = "+PONG\r\n$3\r\nbar\r\n*2\r\n:1\r\n:2\r\n$-1\r\n";
  EXPECT_EQ(split_pipeline(parser, stream), (Sizes{7, 9, 12, 5}));
}

TEST(RespParser, RejectsMalformedReplies) {
  RespParser parser;
  expect_invalid(parser, "?what\r\n");
  expect_invalid(parser, "$abc\r\n");
  expect_invalid(parser, "$-2\r\n");
  expect_invalid(parser, "$3\r\nfooXY");
  expect_invalid(parser, "*1\r\n!\r\n");
  expect_invalid(parser, "$\r\n");
  expect_invalid(parser, "$1\rx");
  expect_invalid(parser, "$999999999999\r\n");
  std::string deep;
  for (std::size_t i = 0; i <= RespParser::kMaxDepth; ++i) deep += "*1\r\n";
  expect_invalid(parser, deep);
}

TEST(RespParser, Resp3TypesInEverySplit) {
  RespParser parser;
  expect_reply(parser, "_\r\n", "#t\r\n");
  expect_reply(parser, "#f\r\n", ",3.14\r\n");
  expect_reply(parser, ",-inf\r\n", "(3492890328409238509324850943850943825024385\r\n");
  expect_reply(parser, "!21\r\nSYNTAX invalid syntax\r\n", "=15\r\ntxt:Some string\r\n");
  expect_reply(parser, "=15\r\ntxt:Some string\r\n", "_\r\n");
  expect_reply(parser, "~2\r\n+a\r\n:1\r\n", "+x\r\n");
  // A map holds two elements per entry.
  expect_reply(parser, "%2\r\n+first\r\n:1\r\n+second\r\n%1\r\n+k\r\n_\r\n", "+x\r\n");
  // A push, as redis 6+ sends pub/sub messages under RESP3.
  expect_reply(parser, ">3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n", ">3\r\n");
  // An attribute describes the value that follows it: both are one reply.
  expect_reply(parser, "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:2\r\n", "+x\r\n");
  expect_incomplete(parser, "|1\r\n+k\r\n+v\r\n");
  expect_invalid(parser, "$?\r\n");
}

TEST(RespParser, ErrorNamesTheBadByte) {
  RespParser parser;
  parser.begin();
  EXPECT_EQ(parser.feed("?").state, ReplyParser::State::invalid);
  EXPECT_NE(parser.error().find("0x3f"), std::string::npos) << parser.error();
}

}  // namespace
}  // namespace swarm::protocol
