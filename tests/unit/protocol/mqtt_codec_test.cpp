// The MQTT codec: every packet type written and read, the framer at every
// split point and in every chunk size, the variable byte integer at its
// limits, MQTT 5 properties (known and unknown), and garbage: what is
// wrong and where.
#include "protocol/builtin/mqtt/mqtt_codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "parser_feeding.hpp"
#include "protocol/builtin/mqtt/mqtt_parser.hpp"
#include "protocol/builtin/mqtt/mqtt_reader.hpp"

namespace swarm::protocol {
namespace {

using namespace builtin::mqtt;
using testing::expect_incomplete;
using testing::expect_invalid;
using testing::expect_reply;
using ::testing::HasSubstr;

/// Bytes written as hex pairs: hex("20 02 00 00").
std::string hex(std::string_view text) {
  std::string out;
  for (std::size_t at = 0; at + 1 < text.size(); at += 3) {
    out.push_back(static_cast<char>(std::stoi(std::string(text.substr(at, 2)), nullptr, 16)));
  }
  return out;
}

/// The packet `body` under first byte `first`, with its remaining length.
std::string packet(std::uint8_t first, std::string_view body) {
  std::string out(1, static_cast<char>(first));
  append_varint(out, static_cast<std::uint32_t>(body.size()));
  out.append(body);
  return out;
}

// ------------------------------------------------------------- variable byte integers

TEST(MqttVarint, SizesAndBytesAtEveryBoundary) {
  struct Case {
    std::uint32_t value;
    std::string bytes;
  };
  const Case cases[] = {{0, hex("00")},
                        {127, hex("7f")},
                        {128, hex("80 01")},
                        {16'383, hex("ff 7f")},
                        {16'384, hex("80 80 01")},
                        {2'097'151, hex("ff ff 7f")},
                        {2'097'152, hex("80 80 80 01")},
                        {kMaxRemainingLength, hex("ff ff ff 7f")}};
  for (const Case& c : cases) {
    std::string out;
    append_varint(out, c.value);
    EXPECT_EQ(out, c.bytes) << c.value;
    EXPECT_EQ(varint_size(c.value), c.bytes.size()) << c.value;
    Reader in(Packet{0, c.bytes});
    EXPECT_EQ(in.varint("a length"), c.value);
    EXPECT_TRUE(in.done());
  }
}

TEST(MqttVarint, TheFramerReadsTheLengthInEverySplit) {
  // A header announcing 2 097 152 bytes: incomplete, every byte taken.
  MqttParser parser;
  expect_incomplete(parser, hex("30 80 80 80 01 00 01 74"));
  // The largest length MQTT has, then more than 4 bytes.
  expect_incomplete(parser, hex("30 ff ff ff 7f"));
  expect_invalid(parser, hex("30 ff ff ff ff 01"));
  parser.begin();
  parser.feed(hex("30 80 80 80 80"));
  EXPECT_EQ(parser.error(),
            "bad MQTT packet: PUBLISH with a remaining length that goes on past 4 bytes, at "
            "bytes 1-4 of the packet (first byte 0x30)");
  // In a body: a fifth byte is malformed too.
  const std::string five_bytes = hex("80 80 80 80 01");
  Reader in(Packet{0, five_bytes}, "CONNACK");
  EXPECT_THROW(in.varint("its property length"), DecodeError);
}

// ------------------------------------------------------------- writing

TEST(MqttWriting, AcksPingAndDisconnect) {
  auto bytes = [](std::array<char, 4> a) { return std::string(a.data(), a.size()); };
  EXPECT_EQ(bytes(ack(Type::puback, 0x1234)), hex("40 02 12 34"));
  EXPECT_EQ(bytes(ack(Type::pubrec, 1)), hex("50 02 00 01"));
  EXPECT_EQ(bytes(ack(Type::pubrel, 65535)), hex("62 02 ff ff"));
  EXPECT_EQ(bytes(ack(Type::pubcomp, 7)), hex("70 02 00 07"));
  EXPECT_EQ(std::string(kPingreq), hex("c0 00"));
  EXPECT_EQ(std::string(kDisconnect), hex("e0 00"));
}

TEST(MqttWriting, PacketsGetTheirHeaderInFrontOfTheBody) {
  for (std::size_t size : {0u, 1u, 127u, 128u, 16'383u, 16'384u, 200'000u}) {
    std::string out = "before";
    const std::size_t start = begin_packet(out);
    out.append(size, 'x');
    end_packet(out, start, 0x30);
    EXPECT_EQ(out, "before" + packet(0x30, std::string(size, 'x'))) << size;
  }
}

TEST(MqttWriting, FieldsTakeTheirLength) {
  std::string out;
  append_string(out, "a/b");
  EXPECT_EQ(out, hex("00 03 61 2f 62"));
  const std::size_t at = begin_field(out);
  out.append(300, 'y');
  end_field(out, at);
  EXPECT_EQ(out.substr(5, 2), hex("01 2c"));
  std::string big;
  const std::size_t too_long = begin_field(big);
  big.append(65'536, 'z');
  EXPECT_THROW(end_field(big, too_long), std::length_error);
}

// ------------------------------------------------------------- framing

TEST(MqttFramer, EveryPacketABrokerSendsInEverySplit) {
  MqttParser parser;
  const std::string next = hex("d0 00");                                  // a PINGRESP after each
  expect_reply(parser, hex("20 02 00 00"), next);                         // CONNACK
  expect_reply(parser, hex("20 09 01 00 06 13 00 0a 21 00 14"), next);    // CONNACK 5 (properties)
  expect_reply(parser, packet(0x30, hex("00 01 74") + "hello"), next);    // PUBLISH QoS 0
  expect_reply(parser, packet(0x3b, hex("00 01 74 00 09") + "x"), next);  // QoS 1, dup, retain
  expect_reply(parser, packet(0x34, hex("00 01 74 00 0a")), next);        // QoS 2, empty payload
  expect_reply(parser, hex("40 02 00 01"), next);                         // PUBACK
  expect_reply(parser, hex("40 04 00 01 10 00"), next);                   // PUBACK 5
  expect_reply(parser, hex("50 02 00 02"), next);                         // PUBREC
  expect_reply(parser, hex("62 02 00 03"), next);                         // PUBREL
  expect_reply(parser, hex("70 02 00 04"), next);                         // PUBCOMP
  expect_reply(parser, hex("90 04 00 05 01 80"), next);                   // SUBACK
  expect_reply(parser, hex("b0 02 00 06"), next);                         // UNSUBACK
  expect_reply(parser, hex("b0 04 00 06 00 11"), next);                   // UNSUBACK 5
  expect_reply(parser, hex("d0 00"), hex("40 02 00 01"));                 // PINGRESP
  expect_reply(parser, hex("e0 00"), next);                               // DISCONNECT
  expect_reply(parser, hex("e0 02 8e 00"), next);                         // DISCONNECT 5
  expect_reply(parser, hex("f0 02 18 00"), next);                         // AUTH
  std::string big = packet(0x30, hex("00 01 74") + std::string(20'000, 'p'));
  for (std::size_t split = 0; split <= big.size(); split += 997) {
    testing::FeedResult result = testing::feed_split(parser, big + next, split);
    EXPECT_EQ(result.state, ReplyParser::State::done) << split;
    EXPECT_EQ(result.consumed, big.size()) << split;
  }
}

TEST(MqttFramer, PipelinedPackets) {
  MqttParser parser;
  const std::string stream = hex("40 02 00 01") + packet(0x30, hex("00 01 74") + "m") +
                             hex("40 02 00 02 d0 00 90 03 00 03 00");
  EXPECT_EQ(testing::split_pipeline(parser, stream), (std::vector<std::size_t>{4, 6, 4, 2, 5}));
}

TEST(MqttFramer, GarbageIsRejectedSayingWhatAndWhere) {
  struct Case {
    std::string bytes;
    std::string error;
  };
  const Case cases[] = {
      {hex("00 00"),
       "type 0 (reserved) is not one a broker sends, at byte 0 of the packet "
       "(first byte 0x00)"},
      {hex("10 00"), "type 1 (CONNECT) is not one a broker sends"},
      {hex("82 00"), "type 8 (SUBSCRIBE) is not one a broker sends"},
      {hex("c0 00"), "type 12 (PINGREQ) is not one a broker sends"},
      {"HTTP/1.1 400 Bad Request\r\n", "PUBACK with flags 0x8 (it takes 0x0), at byte 0"},
      {hex("60 02 00 01"), "PUBREL with flags 0x0 (it takes 0x2)"},
      {hex("36 02 00 01"), "PUBLISH with flags 0x6 (QoS 3)"},
      {hex("d0 01 00"),
       "PINGRESP with a body of 1 bytes (it has exactly 0), at byte 1 of the "
       "packet"},
      {hex("40 01 00"), "PUBACK with a body of 1 bytes (it needs at least 2)"},
      {hex("20 00"), "CONNACK with a body of 0 bytes (it needs at least 2)"},
      {hex("90 02 00 01"), "SUBACK with a body of 2 bytes (it needs at least 3)"},
      {hex("32 03 00 01 74"), "PUBLISH with a body of 3 bytes (it needs at least 4)"},
  };
  for (const Case& c : cases) {
    MqttParser parser;
    expect_invalid(parser, c.bytes);
    EXPECT_THAT(parser.error(), HasSubstr(c.error)) << c.error;
    EXPECT_THAT(parser.error(), ::testing::StartsWith("bad MQTT packet: "));
  }
}

TEST(MqttFramer, PacketsOverTheLimitAreRejected) {
  MqttParser parser(100);
  expect_reply(parser, packet(0x30, std::string(100, 'x')));
  expect_invalid(parser, hex("30 65"));
  EXPECT_EQ(parser.error(),
            "bad MQTT packet: PUBLISH with a body of 101 bytes, over the limit of 100, at byte 1 "
            "of the packet (first byte 0x30)");
}

// ------------------------------------------------------------- reading

TEST(MqttReading, Connack) {
  Connack accepted = read_connack(split(hex("20 02 01 00")), kVersion311);
  EXPECT_TRUE(accepted.session_present);
  EXPECT_EQ(accepted.code, 0);
  EXPECT_EQ(read_connack(split(hex("20 02 00 05")), kVersion311).code, 5);
  // MQTT 5: properties, the server keepalive and a reason string read.
  const std::string v5 = packet(0x20, hex("00 87 0c 13 00 05 1f 00 04") + "nope" + hex("24 01"));
  Connack refused = read_connack(split(v5), kVersion5);
  EXPECT_EQ(refused.code, 0x87);
  EXPECT_EQ(refused.properties.server_keepalive, 5);
  EXPECT_EQ(refused.properties.reason, "nope");
  EXPECT_THROW(read_connack(split(hex("20 03 00 00 00")), kVersion311), DecodeError);
  EXPECT_THROW(read_connack(split(hex("20 02 02 00")), kVersion311), DecodeError);
}

TEST(MqttReading, Acks) {
  EXPECT_EQ(read_ack(split(hex("40 02 12 34")), kVersion311).packet_id, 0x1234);
  Ack v5 = read_ack(split(hex("50 03 00 09 10")), kVersion5);
  EXPECT_EQ(v5.packet_id, 9);
  EXPECT_EQ(v5.reason, 0x10);
  EXPECT_EQ(read_ack(split(hex("70 02 00 09")), kVersion5).reason, 0);  // success implied
  Ack with_properties = read_ack(split(packet(0x40, hex("00 02 97 04 1f 00 01") + "q")), kVersion5);
  EXPECT_EQ(with_properties.reason, 0x97);
  EXPECT_THROW(read_ack(split(hex("40 03 00 01 00")), kVersion311), DecodeError);  // left over
}

TEST(MqttReading, SubackAndUnsuback) {
  const std::string suback = hex("90 05 00 07 00 01 80");
  SubAck sub = read_suback(split(suback), kVersion311);
  EXPECT_EQ(sub.packet_id, 7);
  EXPECT_EQ(sub.codes, hex("00 01 80"));
  const std::string suback5 = hex("90 05 00 07 00 02 87");
  SubAck sub5 = read_suback(split(suback5), kVersion5);
  EXPECT_EQ(sub5.codes, hex("02 87"));
  EXPECT_EQ(read_suback(split(hex("b0 02 00 08")), kVersion311).codes, "");
  EXPECT_EQ(read_suback(split(hex("b0 04 00 08 00 11")), kVersion5).codes, hex("11"));
  EXPECT_THROW(read_suback(split(hex("b0 03 00 08 00")), kVersion5), DecodeError);  // no code
}

TEST(MqttReading, Publish) {
  const std::string retained = packet(0x31, hex("00 03") + "a/b" + "hi");
  Publish qos0 = read_publish(split(retained), kVersion311);
  EXPECT_EQ(qos0.topic, "a/b");
  EXPECT_EQ(qos0.payload, "hi");
  EXPECT_TRUE(qos0.retain);
  EXPECT_EQ(qos0.qos, 0);
  const std::string exactly_once = packet(0x3c, hex("00 01 74 01 00") + "m");
  Publish qos2 = read_publish(split(exactly_once), kVersion311);
  EXPECT_EQ(qos2.qos, 2);
  EXPECT_TRUE(qos2.dup);
  EXPECT_EQ(qos2.packet_id, 256);
  EXPECT_EQ(qos2.payload, "m");
  // MQTT 5: properties between the packet id and the payload.
  const std::string framed = packet(0x32, hex("00 01 74 00 05 07 01 01 02 00 00 00 3c") + "body");
  Publish v5 = read_publish(split(framed), kVersion5);
  EXPECT_EQ(v5.packet_id, 5);
  EXPECT_EQ(v5.payload, "body");
  EXPECT_THROW(read_publish(split(packet(0x32, hex("00 01 74 00 00"))), kVersion311), DecodeError);
  EXPECT_THROW(read_publish(split(packet(0x30, hex("00 09 74"))), kVersion311), DecodeError);
}

TEST(MqttReading, Disconnect) {
  EXPECT_EQ(read_disconnect(split(hex("e0 00")), kVersion5), 0);
  EXPECT_EQ(read_disconnect(split(hex("e0 01 8e")), kVersion5), 0x8e);
  EXPECT_EQ(read_disconnect(split(packet(0xe0, hex("9c 04 1c 00 01") + "h")), kVersion5), 0x9c);
}

// ------------------------------------------------------------- MQTT 5 properties

TEST(MqttProperties, EveryFormIsSteppedOver) {
  const std::string block = hex("01 01") +                // payload format (byte)
                            hex("02 00 00 00 3c") +       // message expiry (4 bytes)
                            hex("03 00 02") + "ct" +      // content type (string)
                            hex("09 00 01 ff") +          // correlation data (binary)
                            hex("0b 80 01") +             // subscription id (varint)
                            hex("13 00 1e") +             // server keepalive (2 bytes)
                            hex("26 00 01 6b 00 01 76");  // user property (pair)
  std::string withlength;
  append_varint(withlength, static_cast<std::uint32_t>(block.size()));
  withlength += block + "after";
  std::size_t taken = 0;
  Properties read = read_properties(withlength, "CONNACK", 2, taken);
  EXPECT_EQ(taken, 1 + block.size());
  EXPECT_EQ(read.server_keepalive, 30);
}

TEST(MqttProperties, AnUnknownIdentifierSkipsTheRestOfItsBlock) {
  // 0x7f is no property: what follows it cannot be walked, the block's
  // length says where it ends.
  const std::string body = hex("00 01 74 00 05 07 13 00 0a 7f 99 99 99") + "payload";
  const std::string framed = packet(0x32, body);
  Publish publish = read_publish(split(framed), kVersion5);
  EXPECT_EQ(publish.payload, "payload");
}

TEST(MqttProperties, APropertyPastItsBlockIsMalformed) {
  // The block says 2 bytes; the server keepalive needs 3.
  try {
    read_connack(split(hex("20 06 00 00 02 13 00 0a")), kVersion5);
    FAIL() << "no error";
  } catch (const DecodeError& error) {
    EXPECT_STREQ(error.what(),
                 "malformed CONNACK: a property needs 2 bytes, 1 left at byte 4 of the body");
  }
  // The block runs past the packet.
  try {
    read_connack(split(hex("20 04 00 00 09 13")), kVersion5);
    FAIL() << "no error";
  } catch (const DecodeError& error) {
    EXPECT_STREQ(error.what(),
                 "malformed CONNACK: its properties needs 9 bytes, 1 left at byte 3 of the body");
  }
}

TEST(MqttReasons, NamesAsCounted) {
  EXPECT_EQ(reason_name(5, true), "not_authorized");
  EXPECT_EQ(reason_name(4, true), "bad_username_or_password");
  EXPECT_EQ(reason_name(0x87), "not_authorized");
  EXPECT_EQ(reason_name(0x86), "bad_username_or_password");
  EXPECT_EQ(reason_name(0x10), "no_matching_subscribers");
  EXPECT_EQ(reason_name(0x7e), "code_0x7e");
  EXPECT_EQ(reason_name(9, true), "code_0x09");
}

}  // namespace
}  // namespace swarm::protocol
