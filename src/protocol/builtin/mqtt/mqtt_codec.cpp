#include "protocol/builtin/mqtt/mqtt_codec.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

#include "protocol/builtin/mqtt/mqtt_reader.hpp"

namespace swarm::protocol::builtin::mqtt {

const char* type_name(std::uint8_t type) noexcept {
  static constexpr const char* kNames[] = {"reserved",  "CONNECT",  "CONNACK",     "PUBLISH",
                                           "PUBACK",    "PUBREC",   "PUBREL",      "PUBCOMP",
                                           "SUBSCRIBE", "SUBACK",   "UNSUBSCRIBE", "UNSUBACK",
                                           "PINGREQ",   "PINGRESP", "DISCONNECT",  "AUTH"};
  return type < 16 ? kNames[type] : "invalid";
}

// ------------------------------------------------------------- writing

std::size_t varint_size(std::uint32_t value) noexcept {
  return value < 128 ? 1 : value < 16'384 ? 2 : value < 2'097'152 ? 3 : 4;
}

std::size_t encode_varint(char* out, std::uint32_t value) noexcept {
  std::size_t size = 0;
  do {
    auto byte = static_cast<std::uint8_t>(value & 0x7F);
    value >>= 7;
    if (value != 0) byte |= 0x80;
    out[size++] = static_cast<char>(byte);
  } while (value != 0);
  return size;
}

void append_varint(std::string& out, std::uint32_t value) {
  char bytes[4];
  out.append(bytes, encode_varint(bytes, value));
}

void append_u16(std::string& out, std::uint16_t value) {
  out.push_back(static_cast<char>(value >> 8));
  out.push_back(static_cast<char>(value & 0xFF));
}

void append_u32(std::string& out, std::uint32_t value) {
  append_u16(out, static_cast<std::uint16_t>(value >> 16));
  append_u16(out, static_cast<std::uint16_t>(value & 0xFFFF));
}

void append_string(std::string& out, std::string_view text) {
  const std::size_t at = begin_field(out);
  out.append(text);
  end_field(out, at);
}

std::size_t begin_packet(std::string& out) {
  const std::size_t start = out.size();
  out.append(kHeaderRoom, '\0');
  return start;
}

void end_packet(std::string& out, std::size_t start, std::uint8_t first) {
  const std::size_t body = out.size() - start - kHeaderRoom;
  if (body > kMaxRemainingLength) {
    throw std::length_error(
        fmt::format("a packet of {} bytes is over MQTT's limit of {}", body, kMaxRemainingLength));
  }
  // The header goes right before the body; the room it does not use goes.
  std::array<char, kHeaderRoom> header{static_cast<char>(first)};
  const std::size_t size = 1 + encode_varint(header.data() + 1, static_cast<std::uint32_t>(body));
  std::memcpy(out.data() + start + kHeaderRoom - size, header.data(), size);
  out.erase(start, kHeaderRoom - size);
}

std::size_t begin_field(std::string& out) {
  const std::size_t at = out.size();
  out.append(2, '\0');
  return at;
}

void end_field(std::string& out, std::size_t at) {
  const std::size_t length = out.size() - at - 2;
  if (length > 0xFFFF) {
    throw std::length_error(
        fmt::format("a string of {} bytes is over MQTT's limit of 65535", length));
  }
  out[at] = static_cast<char>(length >> 8);
  out[at + 1] = static_cast<char>(length & 0xFF);
}

std::array<char, 4> ack(Type type, std::uint16_t packet_id) noexcept {
  // PUBREL's flags are 0010, the others' 0000.
  const auto first = static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) << 4 |
                                               (type == Type::pubrel ? 0x02 : 0x00));
  return {static_cast<char>(first), 0x02, static_cast<char>(packet_id >> 8),
          static_cast<char>(packet_id & 0xFF)};
}

// ------------------------------------------------------------- reading

Packet split(std::string_view framed) noexcept {
  Packet packet;
  if (framed.empty()) return packet;
  packet.first = static_cast<std::uint8_t>(framed[0]);
  std::size_t at = 1;
  while (at < framed.size() && at < kHeaderRoom && (static_cast<std::uint8_t>(framed[at]) & 0x80))
    ++at;
  packet.body = framed.substr(std::min(at + 1, framed.size()));
  return packet;
}

Connack read_connack(Packet packet, std::uint8_t version) {
  Reader in(packet);
  Connack connack;
  const std::uint8_t flags = in.u8("its acknowledge flags");
  if ((flags & 0xFE) != 0)
    in.fail(0, fmt::format("acknowledge flags 0x{:02x} (only bit 0 may be set)", flags));
  connack.session_present = (flags & 1) != 0;
  connack.code = in.u8("its return code");
  if (version == kVersion5) connack.properties = in.properties();
  in.finish();
  return connack;
}

Ack read_ack(Packet packet, std::uint8_t version) {
  Reader in(packet);
  Ack ack;
  ack.packet_id = in.u16("its packet id");
  // MQTT 5: a reason and properties may follow; without them, success.
  if (version == kVersion5 && !in.done()) ack.reason = in.u8("its reason code");
  if (version == kVersion5 && !in.done()) in.properties();
  in.finish();
  return ack;
}

SubAck read_suback(Packet packet, std::uint8_t version) {
  Reader in(packet);
  SubAck ack;
  ack.packet_id = in.u16("its packet id");
  if (version == kVersion5) in.properties();
  ack.codes = in.rest();
  if (ack.codes.empty() && (packet.type() == Type::suback || version == kVersion5)) {
    in.fail(in.offset(), "no reason code (one per topic filter)");
  }
  return ack;
}

Publish read_publish(Packet packet, std::uint8_t version) {
  Reader in(packet);
  Publish publish;
  publish.qos = static_cast<std::uint8_t>(packet.flags() >> 1 & 0x03);
  publish.retain = (packet.flags() & 0x01) != 0;
  publish.dup = (packet.flags() & 0x08) != 0;
  if (publish.qos == 3) in.fail(0, "QoS 3 in its flags (0, 1 or 2)");
  publish.topic = in.string("its topic");
  if (publish.qos > 0) {
    const std::size_t at = in.offset();
    publish.packet_id = in.u16("its packet id");
    if (publish.packet_id == 0) in.fail(at, "packet id 0 (QoS 1 and 2 take 1 to 65535)");
  }
  if (version == kVersion5) in.properties();
  publish.payload = in.rest();
  return publish;
}

std::uint8_t read_disconnect(Packet packet, std::uint8_t version) {
  Reader in(packet);
  std::uint8_t reason = 0;
  if (version == kVersion5 && !in.done()) reason = in.u8("its reason code");
  if (version == kVersion5 && !in.done()) in.properties();
  in.finish();
  return reason;
}

Properties read_properties(std::string_view block, const char* packet, std::size_t base,
                           std::size_t& taken) {
  Reader in(Packet{0, block}, packet, base);
  Properties properties = in.properties();
  taken = in.offset();
  return properties;
}

}  // namespace swarm::protocol::builtin::mqtt
