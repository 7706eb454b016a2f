#include "protocol/builtin/mqtt/mqtt_reader.hpp"

#include <fmt/format.h>

namespace swarm::protocol::builtin::mqtt {
namespace {

/// How an MQTT 5 property's value is written, by its identifier.
enum class Form : std::uint8_t { unknown, byte, u16, u32, varint, string, pair };

Form form_of(std::uint32_t id) noexcept {
  switch (id) {
    case 0x01:
    case 0x17:
    case 0x19:
    case 0x24:
    case 0x25:
    case 0x28:
    case 0x29:
    case 0x2A:
      return Form::byte;
    case 0x13:
    case 0x21:
    case 0x22:
    case 0x23:
      return Form::u16;
    case 0x02:
    case 0x11:
    case 0x18:
    case 0x27:
      return Form::u32;
    case 0x0B:
      return Form::varint;
    case 0x03:
    case 0x08:
    case 0x09:
    case 0x12:
    case 0x15:
    case 0x16:
    case 0x1A:
    case 0x1C:
    case 0x1F:
      return Form::string;
    case 0x26:
      return Form::pair;
    default:
      return Form::unknown;
  }
}

constexpr std::uint32_t kServerKeepalive = 0x13;
constexpr std::uint32_t kReasonString = 0x1F;

}  // namespace

std::string_view Reader::take(std::size_t size, const char* what) {
  if (size > body_.size() - at_) {
    fail(at_, fmt::format("{} needs {} bytes, {} left", what, size, body_.size() - at_));
  }
  std::string_view bytes = body_.substr(at_, size);
  at_ += size;
  return bytes;
}

std::uint8_t Reader::u8(const char* what) {
  return static_cast<std::uint8_t>(take(1, what)[0]);
}

std::uint16_t Reader::u16(const char* what) {
  std::string_view bytes = take(2, what);
  return static_cast<std::uint16_t>(static_cast<std::uint8_t>(bytes[0]) << 8 |
                                    static_cast<std::uint8_t>(bytes[1]));
}

std::uint32_t Reader::u32(const char* what) {
  const std::uint32_t high = u16(what);
  return high << 16 | u16(what);
}

std::uint32_t Reader::varint(const char* what) {
  const std::size_t start = at_;
  std::uint32_t value = 0;
  for (int shift = 0; shift < 28; shift += 7) {
    const std::uint8_t byte = u8(what);
    value |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  fail(start, fmt::format("{} is a variable byte integer longer than 4 bytes", what));
}

std::string_view Reader::string(const char* what) {
  return take(u16(what), what);
}

std::string_view Reader::rest() noexcept {
  std::string_view bytes = body_.substr(at_);
  at_ = body_.size();
  return bytes;
}

void Reader::finish() const {
  if (!done()) fail(at_, fmt::format("{} bytes left over", body_.size() - at_));
}

void Reader::fail(std::size_t at, std::string_view message) const {
  throw DecodeError(
      fmt::format("malformed {}: {} at byte {} of the body", name_, message, at + base_));
}

Properties Reader::properties() {
  Properties found;
  const std::uint32_t length = varint("its property length");
  const std::size_t start = at_;
  take(length, "its properties");
  const std::size_t end = at_;
  // Walk the block on its own: a property may not run past it.
  Reader block(Packet{0, body_.substr(start, length)}, name_, base_ + start);
  while (!block.done()) {
    const std::uint32_t id = block.varint("a property identifier");
    if (!block.property(id, found)) break;  // unknown: skip the rest by the length
  }
  at_ = end;
  return found;
}

bool Reader::property(std::uint32_t id, Properties& out) {
  switch (form_of(id)) {
    case Form::byte:
      u8("a property");
      return true;
    case Form::u16: {
      const std::uint16_t value = u16("a property");
      if (id == kServerKeepalive) out.server_keepalive = value;
      return true;
    }
    case Form::u32:
      u32("a property");
      return true;
    case Form::varint:
      varint("a property");
      return true;
    case Form::string: {
      std::string_view value = string("a property");
      if (id == kReasonString) out.reason = value;
      return true;
    }
    case Form::pair:
      string("a user property's name");
      string("a user property's value");
      return true;
    case Form::unknown:
      return false;
  }
  return false;
}

}  // namespace swarm::protocol::builtin::mqtt
