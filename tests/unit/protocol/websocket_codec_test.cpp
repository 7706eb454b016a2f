// The WebSocket codec: client frames built and masked as RFC 6455 says,
// server messages framed at every split point and in every chunk size
// (fragments, control frames between them), and garbage refused with what
// and where.
#include <gtest/gtest.h>

#include <string>

#include "parser_feeding.hpp"
#include "swarm/websocket.hpp"

namespace swarm::protocol {
namespace {

using testing::expect_incomplete;
using testing::expect_invalid;
using testing::expect_reply;
using testing::feed_in_chunks;
using testing::split_pipeline;

/// An unmasked frame, as a server sends it.
std::string server_frame(WsOpcode opcode, std::string_view payload, bool fin = true) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(opcode));
  const std::size_t size = payload.size();
  if (size < 126) {
    out += static_cast<char>(size);
  } else if (size <= 0xFFFF) {
    out += static_cast<char>(126);
    out += static_cast<char>(size >> 8);
    out += static_cast<char>(size & 0xFF);
  } else {
    out += static_cast<char>(127);
    for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((size >> shift) & 0xFF);
  }
  out += payload;
  return out;
}

TEST(WsFrame, HeaderLengthsAndMaskFollowTheRfc) {
  for (std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
    const std::string payload(size, 'p');
    const std::string frame = ws_frame(payload, WsOpcode::binary, 0x01020304);
    const std::size_t length_bytes = size < 126 ? 0 : (size <= 0xFFFF ? 2 : 8);
    ASSERT_EQ(frame.size(), 2 + length_bytes + 4 + size) << size;
    EXPECT_EQ(static_cast<unsigned char>(frame[0]), 0x82);
    EXPECT_EQ(static_cast<unsigned char>(frame[1]) & 0x80, 0x80) << "client frames are masked";
    const std::size_t key_at = 2 + length_bytes;
    EXPECT_EQ(frame.substr(key_at, 4), std::string("\x01\x02\x03\x04", 4));
    std::string body = frame.substr(key_at + 4);
    ws_mask(body.data(), body.size(), 0x01020304);
    EXPECT_EQ(body, payload) << size;
  }
}

TEST(WsFrame, TheRfcExampleMaskedHello) {
  // RFC 6455 5.7: a masked "Hello" with key 37 fa 21 3d.
  const std::string frame = ws_frame("Hello", WsOpcode::text, 0x37fa213d);
  EXPECT_EQ(frame, std::string("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11));
}

TEST(WsFrame, MaskingAtAnyOffsetMatchesByteByByte) {
  std::string data(67, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7);
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t size = 0; size <= data.size(); ++size) {
      std::string fast = data.substr(0, size);
      ws_mask(fast.data(), fast.size(), 0xA1B2C3D4, offset);
      const unsigned char key[4] = {0xA1, 0xB2, 0xC3, 0xD4};
      for (std::size_t i = 0; i < size; ++i) {
        ASSERT_EQ(static_cast<unsigned char>(fast[i]),
                  static_cast<unsigned char>(data[i]) ^ key[(offset + i) % 4])
            << "offset " << offset << " size " << size << " byte " << i;
      }
    }
  }
}

TEST(WsFrame, CloseCarriesItsCodeAndReason) {
  std::string out;
  ws_append_close(out, 1001, "bye", 0);  // key 0: the payload reads as sent
  EXPECT_EQ(out, std::string("\x88\x85\0\0\0\0\x03\xe9"
                             "bye",
                             11));
  out.clear();
  ws_append_close(out, 0, "ignored", 0);
  EXPECT_EQ(out, std::string("\x88\x80\0\0\0\0", 6));
}

TEST(WsParser, OneFrameMessagesAtEverySplit) {
  WsParser parser;
  for (std::size_t size : {0u, 5u, 125u, 126u, 300u, 65536u}) {
    const std::string frame = server_frame(WsOpcode::text, std::string(size, 'a'));
    if (size > 300) {
      // Every chunk size of 64 KiB takes long: a few sizes and the splits
      // around the header.
      for (std::size_t chunk : {1u, 2u, 3u, 9u, 4096u, 70000u}) {
        auto result = feed_in_chunks(parser, frame, chunk);
        EXPECT_EQ(result.state, ReplyParser::State::done);
        EXPECT_EQ(result.consumed, frame.size());
      }
      continue;
    }
    expect_reply(parser, frame, server_frame(WsOpcode::binary, "next"));
  }
}

TEST(WsParser, FragmentsWithControlFramesBetweenAreOneMessage) {
  const std::string message =
      server_frame(WsOpcode::text, "Hel", false) + server_frame(WsOpcode::ping, "p1") +
      server_frame(WsOpcode::continuation, "lo ", false) + server_frame(WsOpcode::pong, "") +
      server_frame(WsOpcode::continuation, "world");
  WsParser parser;
  expect_reply(parser, message, server_frame(WsOpcode::ping, "after"));

  std::string scratch;
  const WsMessage read = ws_read_message(message, scratch);
  EXPECT_EQ(read.opcode, WsOpcode::text);
  EXPECT_EQ(read.payload, "Hello world");
  EXPECT_EQ(read.pings, 1u);
  EXPECT_EQ(read.frames, 5u);
}

TEST(WsParser, AControlFrameAloneIsAMessage) {
  WsParser parser;
  const std::string ping = server_frame(WsOpcode::ping, "are you there");
  expect_reply(parser, ping, server_frame(WsOpcode::text, "data"));
  const std::string close = server_frame(WsOpcode::close, std::string("\x03\xf3going", 7));
  expect_reply(parser, close);
  std::string scratch;
  const WsMessage read = ws_read_message(close, scratch);
  EXPECT_EQ(read.opcode, WsOpcode::close);
  EXPECT_EQ(read.close_code, 1011);
  EXPECT_EQ(read.close_reason, "going");
}

TEST(WsParser, MessagesBackToBackSplitOneByOne) {
  const std::string stream = server_frame(WsOpcode::ping, "") + server_frame(WsOpcode::text, "a") +
                             server_frame(WsOpcode::binary, "bc", false) +
                             server_frame(WsOpcode::continuation, "d") +
                             server_frame(WsOpcode::close, "");
  WsParser parser;
  EXPECT_EQ(split_pipeline(parser, stream), (std::vector<std::size_t>{2, 3, 4 + 3, 2}));
}

TEST(WsParser, IncompleteMessagesAskForMore) {
  WsParser parser;
  expect_incomplete(parser, server_frame(WsOpcode::text, "abc").substr(0, 4));
  expect_incomplete(parser, server_frame(WsOpcode::text, "abc", false));
  expect_incomplete(parser,
                    server_frame(WsOpcode::text, "abc", false) + server_frame(WsOpcode::ping, "x"));
  expect_incomplete(parser, server_frame(WsOpcode::binary, std::string(300, 'x')).substr(0, 3));
}

/// The error for `stream`, fed whole.
std::string error_for(WsParser& parser, std::string_view stream) {
  expect_invalid(parser, stream);
  return parser.error();
}

TEST(WsParser, GarbageIsRefusedSayingWhatAndWhere) {
  WsParser parser;
  EXPECT_EQ(error_for(parser, "HTTP/1.1 200 OK\r\n"),
            "websocket: reserved bits set (0x40) and no extension was agreed, in the frame at "
            "byte 0 of the message (header 48 54)");
  EXPECT_NE(error_for(parser, std::string("\x83\x00", 2)).find("unknown opcode 0x3"),
            std::string::npos);
  EXPECT_NE(error_for(parser, ws_frame("x", WsOpcode::text, 1)).find("a masked frame"),
            std::string::npos);
  EXPECT_NE(error_for(parser, server_frame(WsOpcode::ping, "x", false)).find("fragmented ping"),
            std::string::npos);
  EXPECT_NE(error_for(parser, server_frame(WsOpcode::pong, std::string(126, 'x')))
                .find("longer than 125"),
            std::string::npos);
  EXPECT_NE(error_for(parser, server_frame(WsOpcode::continuation, "x")).find("outside a message"),
            std::string::npos);
  const std::string twice =
      server_frame(WsOpcode::text, "a", false) + server_frame(WsOpcode::binary, "b");
  EXPECT_EQ(error_for(parser, twice),
            "websocket: a binary frame inside a fragmented message, in the frame at byte 3 of the "
            "message (header 82 01)");
  const std::string huge_length("\x82\x7f\x80\0\0\0\0\0\0\0", 10);
  EXPECT_NE(error_for(parser, huge_length).find("top bit set"), std::string::npos);
}

TEST(WsParser, TooLargeIsRefusedWhenTheHeaderSaysSo) {
  WsParser parser(1000);
  // The header alone is enough: nothing of the payload is waited for.
  const std::string header = server_frame(WsOpcode::binary, std::string(1001, 'x')).substr(0, 4);
  EXPECT_NE(
      error_for(parser, header).find("a message of at least 1001 bytes, past the limit of 1000"),
      std::string::npos);
  // Fragments count together.
  const std::string fragments = server_frame(WsOpcode::text, std::string(600, 'x'), false) +
                                server_frame(WsOpcode::continuation, std::string(600, 'y'));
  EXPECT_NE(error_for(parser, fragments.substr(0, 610)).find("at least 1200 bytes"),
            std::string::npos);
  expect_reply(parser, server_frame(WsOpcode::text, std::string(1000, 'x')));
}

TEST(WsFrames, WalkStopsAtBytesThatAreNotFrames) {
  const std::string stream = server_frame(WsOpcode::text, "ab") + "\x81";
  WsFrames frames(stream);
  WsFrame frame;
  ASSERT_TRUE(frames.next(frame));
  EXPECT_EQ(frame.payload, "ab");
  EXPECT_TRUE(frame.fin);
  EXPECT_FALSE(frames.next(frame));
}

TEST(WsFrame, CloseCodesHaveNames) {
  EXPECT_STREQ(ws_close_code_name(1011), "internal error");
  EXPECT_STREQ(ws_close_code_name(4000), "application");
  EXPECT_STREQ(ws_close_code_name(2000), "unknown");
  EXPECT_EQ(ws_opcode_name(static_cast<WsOpcode>(3)), "opcode 0x3");
}

}  // namespace
}  // namespace swarm::protocol

namespace swarm {
namespace {

TEST(WsUtf8, ValidTextPasses) {
  constexpr auto npos = std::string_view::npos;
  EXPECT_EQ(ws_utf8_error_at(""), npos);
  EXPECT_EQ(ws_utf8_error_at("plain ASCII, longer than eight bytes"), npos);
  EXPECT_EQ(ws_utf8_error_at("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), npos);  // é € 😀
  EXPECT_EQ(ws_utf8_error_at("\xed\x9f\xbf"), npos);                               // U+D7FF
  EXPECT_EQ(ws_utf8_error_at("\xee\x80\x80"), npos);                               // U+E000
  EXPECT_EQ(ws_utf8_error_at("\xf4\x8f\xbf\xbf"), npos);                           // U+10FFFF
  EXPECT_EQ(ws_utf8_error_at(std::string_view("\0", 1)), npos);
}

TEST(WsUtf8, EachKindOfBadSequenceIsFoundAtItsFirstByte) {
  struct Case {
    std::string_view text;
    std::size_t at;
  };
  const Case cases[] = {
      {"\x80", 0},              // a continuation byte first
      {"ab\xc0\x80", 2},        // overlong NUL
      {"\xc1\xbf", 0},          // overlong
      {"\xe0\x9f\xbf", 0},      // overlong three-byte
      {"\xf0\x8f\xbf\xbf", 0},  // overlong four-byte
      {"x\xed\xa0\x80", 1},     // U+D800, a surrogate
      {"\xf4\x90\x80\x80", 0},  // above U+10FFFF
      {"\xf5\x80\x80\x80", 0},  // no such lead byte
      {"\xff", 0},
      {"12345678caf\xc3", 11},  // cut short at the end, after a fast word
      {"\xe2\x82", 0},          // cut short
      {"\xe2\x28\xa1", 0},      // a bad second byte
      {"\xf0\x9f\x98\x28", 0},  // a bad fourth byte
      {"aaaaaaaa\xe2\x82\xac"
       "aaaaaaa\xc3\x28",
       18},
  };
  for (const Case& c : cases) EXPECT_EQ(ws_utf8_error_at(c.text), c.at) << c.at;
}

}  // namespace
}  // namespace swarm
