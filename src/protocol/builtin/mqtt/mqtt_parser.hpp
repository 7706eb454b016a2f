// MqttParser: finds where one MQTT packet ends in a broker's byte stream
// (the reply to a command, or a packet the broker pushes) without copying:
// the first byte, the remaining length (1 to 4 bytes), then the body is
// skipped by its length.
//
// It rejects what no broker sends, saying what and where: a reserved type
// or one only clients send (CONNECT, SUBSCRIBE, ...), flags a type does not
// take, a remaining length longer than 4 bytes, a body too short for its
// type, a packet over the size limit. Then the connection is counted as a
// protocol error and reconnects: after garbage the stream cannot be
// followed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/builtin/mqtt/mqtt_codec.hpp"
#include "swarm/reply_parser.hpp"

namespace swarm::protocol::builtin::mqtt {

class MqttParser final : public ReplyParser {
 public:
  /// Takes packets with up to `max_body` bytes after the fixed header.
  explicit MqttParser(std::uint32_t max_body = kMaxRemainingLength) noexcept
      : max_body_(max_body) {}

  void begin() override;
  Step feed(std::string_view data) override;
  std::string error() const override { return error_; }

 private:
  enum class Phase : std::uint8_t { first, length, body };

  /// The first byte: its type and flags; false when no broker sends it.
  bool take_first(std::uint8_t byte);
  /// One byte of the remaining length; false when it is invalid.
  bool take_length(std::uint8_t byte);
  /// The remaining length is known: false when the type cannot have it.
  bool check_length();
  /// Rejects the packet: `what` is wrong, at `where` ("byte 0").
  bool fail(std::string what, std::string_view where);

  std::uint32_t max_body_;      // the largest body taken
  Phase phase_ = Phase::first;  // where in the packet
  std::uint8_t first_ = 0;      // the first byte
  std::uint8_t digits_ = 0;     // remaining-length bytes read
  std::uint32_t length_ = 0;    // the remaining length (so far)
  std::uint32_t left_ = 0;      // body bytes still to skip
  std::string error_;           // why the bytes were rejected
};

}  // namespace swarm::protocol::builtin::mqtt
