#include "protocol/builtin/mqtt/mqtt_parser.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace swarm::protocol::builtin::mqtt {
namespace {

/// The flags a broker's packet of `type` must carry (PUBLISH: any but QoS
/// 3); -1 for the types only clients send.
int fixed_flags(Type type) noexcept {
  switch (type) {
    case Type::connack:
    case Type::puback:
    case Type::pubrec:
    case Type::pubcomp:
    case Type::suback:
    case Type::unsuback:
    case Type::pingresp:
    case Type::disconnect:
    case Type::auth:
      return 0;
    case Type::pubrel:
      return 2;
    case Type::publish:
      return 0x10;  // any (checked apart)
    default:
      return -1;  // reserved, CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ
  }
}

/// The least body a packet of `type` has (in 3.1.1 and 5.0 alike), and
/// whether it is exactly that.
struct BodySize {
  std::uint32_t least = 0;
  bool exact = false;
};
BodySize body_size(Type type, std::uint8_t flags) noexcept {
  switch (type) {
    case Type::connack:
    case Type::puback:
    case Type::pubrec:
    case Type::pubrel:
    case Type::pubcomp:
    case Type::unsuback:
      return {2, false};
    case Type::suback:
      return {3, false};  // packet id, one code at least
    case Type::publish:
      return {(flags & 0x06) != 0 ? 4u : 2u, false};  // topic length (+ packet id)
    case Type::pingresp:
      return {0, true};
    default:
      return {0, false};
  }
}

}  // namespace

void MqttParser::begin() {
  phase_ = Phase::first;
  first_ = 0;
  digits_ = 0;
  length_ = 0;
  left_ = 0;
}

ReplyParser::Step MqttParser::feed(std::string_view data) {
  std::size_t at = 0;
  while (phase_ != Phase::body && at < data.size()) {
    const auto byte = static_cast<std::uint8_t>(data[at++]);
    const bool good = phase_ == Phase::first ? take_first(byte) : take_length(byte);
    if (!good) return {at, State::invalid};
  }
  if (phase_ != Phase::body) return {at, State::need_more};
  const std::size_t skip = std::min<std::size_t>(left_, data.size() - at);
  left_ -= static_cast<std::uint32_t>(skip);
  at += skip;
  return {at, left_ == 0 ? State::done : State::need_more};
}

bool MqttParser::take_first(std::uint8_t byte) {
  first_ = byte;
  const auto type = static_cast<Type>(byte >> 4);
  const int flags = fixed_flags(type);
  if (flags < 0) {
    return fail(
        fmt::format("type {} ({}) is not one a broker sends", byte >> 4, type_name(byte >> 4)),
        "byte 0");
  }
  if (type == Type::publish ? (byte & 0x06) == 0x06 : (byte & 0x0F) != flags) {
    return fail(
        fmt::format("{} with flags 0x{:x} ({})", type_name(byte >> 4), byte & 0x0F,
                    type == Type::publish ? "QoS 3" : fmt::format("it takes 0x{:x}", flags)),
        "byte 0");
  }
  phase_ = Phase::length;
  return true;
}

bool MqttParser::take_length(std::uint8_t byte) {
  length_ |= static_cast<std::uint32_t>(byte & 0x7F) << (7 * digits_);
  ++digits_;
  if ((byte & 0x80) == 0) return check_length();
  if (digits_ == 4) {
    return fail(
        fmt::format("{} with a remaining length that goes on past 4 bytes", type_name(first_ >> 4)),
        "bytes 1-4");
  }
  return true;
}

bool MqttParser::check_length() {
  const auto type = static_cast<Type>(first_ >> 4);
  // The remaining length's bytes: where the problem is.
  const std::string where = digits_ == 1 ? "byte 1" : fmt::format("bytes 1-{}", digits_);
  const BodySize size = body_size(type, first_ & 0x0F);
  if (length_ < size.least || (size.exact && length_ != size.least)) {
    return fail(fmt::format("{} with a body of {} bytes ({} {})", type_name(first_ >> 4), length_,
                            size.exact ? "it has exactly" : "it needs at least", size.least),
                where);
  }
  if (length_ > max_body_) {
    return fail(fmt::format("{} with a body of {} bytes, over the limit of {}",
                            type_name(first_ >> 4), length_, max_body_),
                where);
  }
  left_ = length_;
  phase_ = Phase::body;
  return true;
}

bool MqttParser::fail(std::string what, std::string_view where) {
  error_ = fmt::format("bad MQTT packet: {}, at {} of the packet (first byte 0x{:02x})", what,
                       where, first_);
  return false;
}

}  // namespace swarm::protocol::builtin::mqtt
