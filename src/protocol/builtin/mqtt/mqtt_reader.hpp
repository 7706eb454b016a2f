// Reader: a cursor over one packet's body that checks every read against
// the body's end, and says what is wrong and where ("malformed SUBACK: its
// packet id runs past the end of the body (1 byte) at byte 0 of the body").
// The codec's read_*() functions are made of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/builtin/mqtt/mqtt_codec.hpp"

namespace swarm::protocol::builtin::mqtt {

class Reader {
 public:
  /// Reads `packet`'s body; `name` overrides the packet's name in messages,
  /// `base` is added to offsets in them (a block read on its own).
  explicit Reader(Packet packet, const char* name = nullptr, std::size_t base = 0) noexcept
      : body_(packet.body), name_(name != nullptr ? name : packet.name()), base_(base) {}

  std::uint8_t u8(const char* what);
  std::uint16_t u16(const char* what);
  std::uint32_t u32(const char* what);
  std::uint32_t varint(const char* what);
  /// A length-prefixed string (or binary data).
  std::string_view string(const char* what);
  /// MQTT 5 properties (their length first): each checked, those swarm uses
  /// read. An identifier it does not know ends the walk: the rest of the
  /// block is skipped by its length.
  Properties properties();

  /// Whatever is left (a payload, SUBACK's codes).
  std::string_view rest() noexcept;
  bool done() const noexcept { return at_ == body_.size(); }
  std::size_t offset() const noexcept { return at_; }
  /// Throws when bytes are left over.
  void finish() const;
  /// Throws a DecodeError: "malformed NAME: MESSAGE at byte AT of the body".
  [[noreturn]] void fail(std::size_t at, std::string_view message) const;

 private:
  /// Takes `size` bytes for `what`, or throws.
  std::string_view take(std::size_t size, const char* what);
  /// One property's value, by its identifier; false when it is unknown.
  bool property(std::uint32_t id, Properties& out);

  std::string_view body_;  // the packet's body
  const char* name_;       // the packet's name, for messages
  std::size_t base_;       // added to offsets in messages
  std::size_t at_ = 0;     // the next byte to read
};

}  // namespace swarm::protocol::builtin::mqtt
