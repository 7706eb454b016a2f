// The MQTT codec (3.1.1 and 5.0): what swarm writes (CONNECT, PUBLISH,
// SUBSCRIBE, the acks, ...) and how it reads what a broker sends (CONNACK,
// PUBLISH, the acks, SUBACK, UNSUBACK, DISCONNECT), straight in a request
// buffer and over the framed bytes: nothing allocates.
//
// Hand-written rather than a client library (DESIGN.md, "Built-in
// protocols"): the libraries in Debian (libmosquitto, paho) own the socket,
// the keepalive timer and the buffers, where swarm's engine owns all three.
//
// A packet is a fixed header (type and flags in one byte, then the
// remaining length as a variable byte integer of 1 to 4 bytes) and a body
// of that length. MQTT 5 adds properties (a length, then identifier and
// value pairs) to most packets; an identifier swarm does not know cannot be
// stepped over on its own, so the rest of its block is skipped by the
// block's length.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace swarm::protocol::builtin::mqtt {

/// Packet types (the high nibble of the first byte).
enum class Type : std::uint8_t {
  connect = 1,
  connack = 2,
  publish = 3,
  puback = 4,
  pubrec = 5,
  pubrel = 6,
  pubcomp = 7,
  subscribe = 8,
  suback = 9,
  unsubscribe = 10,
  unsuback = 11,
  pingreq = 12,
  pingresp = 13,
  disconnect = 14,
  auth = 15,
};

/// "CONNACK", "PUBLISH", ...; "reserved" for type 0.
const char* type_name(std::uint8_t type) noexcept;

/// Protocol levels as CONNECT carries them.
inline constexpr std::uint8_t kVersion31 = 3;   // MQTT 3.1 ("MQIsdp")
inline constexpr std::uint8_t kVersion311 = 4;  // MQTT 3.1.1
inline constexpr std::uint8_t kVersion5 = 5;    // MQTT 5.0

/// The largest remaining length a 4-byte variable byte integer holds.
inline constexpr std::uint32_t kMaxRemainingLength = 268'435'455;
/// Room left before a packet's body for its fixed header (1 + 4 bytes).
inline constexpr std::size_t kHeaderRoom = 5;

// ------------------------------------------------------------- writing

/// Bytes `value` takes as a variable byte integer (1 to 4).
std::size_t varint_size(std::uint32_t value) noexcept;
/// Writes `value` (at most kMaxRemainingLength) as a variable byte integer
/// at `out` (room for 4 bytes); returns the bytes written.
std::size_t encode_varint(char* out, std::uint32_t value) noexcept;
/// Appends `value` (at most kMaxRemainingLength) as a variable byte integer.
void append_varint(std::string& out, std::uint32_t value);
void append_u16(std::string& out, std::uint16_t value);
void append_u32(std::string& out, std::uint32_t value);
/// Appends `text` with its 2-byte length in front (at most 65 535 bytes).
void append_string(std::string& out, std::string_view text);

/// Starts a packet: leaves kHeaderRoom bytes for its fixed header; the body
/// is appended after. Returns where the packet starts.
std::size_t begin_packet(std::string& out);
/// Ends the packet begun at `start`: writes its fixed header (`first`, then
/// the body's length) just before the body and closes the room left over.
/// Throws std::length_error past kMaxRemainingLength.
void end_packet(std::string& out, std::size_t start, std::uint8_t first);

/// Starts a 2-byte length-prefixed field whose bytes are appended next
/// (a topic rendered with substitutions). Returns where its length goes.
std::size_t begin_field(std::string& out);
/// Writes the length of the field begun at `at`. Throws std::length_error
/// past 65 535 bytes.
void end_field(std::string& out, std::size_t at);

/// A 4-byte ack: PUBACK, PUBREC, PUBREL or PUBCOMP for `packet_id` (in MQTT 5
/// the reason "success" is implied by the length).
std::array<char, 4> ack(Type type, std::uint16_t packet_id) noexcept;
inline constexpr std::string_view kPingreq{"\xC0\x00", 2};
inline constexpr std::string_view kDisconnect{"\xE0\x00", 2};

// ------------------------------------------------------------- reading

/// A malformed packet body: what is wrong and where (DecodeError::what()).
class DecodeError : public std::exception {
 public:
  explicit DecodeError(std::string message) : message_(std::move(message)) {}
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

/// A framed packet (as MqttParser frames one): its first byte and its body.
struct Packet {
  std::uint8_t first = 0;  // type << 4 | flags
  std::string_view body;   // the bytes after the fixed header

  Type type() const noexcept { return static_cast<Type>(first >> 4); }
  std::uint8_t flags() const noexcept { return first & 0x0F; }
  const char* name() const noexcept { return type_name(first >> 4); }
};
/// The packet `framed` holds (a whole packet, fixed header included).
Packet split(std::string_view framed) noexcept;

/// What swarm reads from MQTT 5 properties; the rest is checked and skipped.
struct Properties {
  std::optional<std::uint16_t> server_keepalive;  // CONNACK: the broker's keepalive
  std::string_view reason;                        // a reason string, for messages
};

struct Connack {
  bool session_present = false;
  std::uint8_t code = 0;  // 0: accepted
  Properties properties;
};
/// Acks with a packet id: PUBACK, PUBREC, PUBREL, PUBCOMP.
struct Ack {
  std::uint16_t packet_id = 0;
  std::uint8_t reason = 0;  // MQTT 5; 0 (success) in 3.1.1
};
/// SUBACK and UNSUBACK: one code per topic filter, in order (UNSUBACK in
/// 3.1.1 has none).
struct SubAck {
  std::uint16_t packet_id = 0;
  std::string_view codes;
};
struct Publish {
  std::uint8_t qos = 0;
  bool retain = false;
  bool dup = false;
  std::string_view topic;
  std::uint16_t packet_id = 0;  // QoS 1 and 2
  std::string_view payload;
};

// Each reads a packet of its type for protocol `version` (kVersion5 or
// older) and throws DecodeError naming the packet, the problem and the
// byte it is at.
Connack read_connack(Packet packet, std::uint8_t version);
Ack read_ack(Packet packet, std::uint8_t version);
SubAck read_suback(Packet packet, std::uint8_t version);
Publish read_publish(Packet packet, std::uint8_t version);
/// DISCONNECT's reason (0 when it has none).
std::uint8_t read_disconnect(Packet packet, std::uint8_t version);

/// MQTT 5 properties at the start of `block` (its length first): checks
/// each one's form, reads those swarm uses, and returns them with the bytes
/// they took. Throws DecodeError (`base`: the block's offset in the packet,
/// for messages).
Properties read_properties(std::string_view block, const char* packet, std::size_t base,
                           std::size_t& taken);

/// A reason code's name, as counted ("not_authorized"): MQTT 5's reason
/// codes, or for a 3.1.1 CONNACK (`connack_311`) its return codes 1 to 5.
std::string_view reason_name(std::uint8_t code, bool connack_311 = false) noexcept;

}  // namespace swarm::protocol::builtin::mqtt
