// The names reason codes are counted under ("connack:not_authorized"):
// MQTT 5's reason codes (section 2.4), and the return codes of a 3.1.1
// CONNACK, named like their MQTT 5 equivalents so that a report reads the
// same for both versions.
#include <fmt/format.h>

#include <array>
#include <string>

#include "protocol/builtin/mqtt/mqtt_codec.hpp"

namespace swarm::protocol::builtin::mqtt {
namespace {

std::string_view v5_name(std::uint8_t code) noexcept {
  switch (code) {
    case 0x00:
      return "success";
    case 0x01:
      return "granted_qos1";
    case 0x02:
      return "granted_qos2";
    case 0x04:
      return "disconnect_with_will";
    case 0x10:
      return "no_matching_subscribers";
    case 0x11:
      return "no_subscription_existed";
    case 0x18:
      return "continue_authentication";
    case 0x19:
      return "reauthenticate";
    case 0x80:
      return "unspecified_error";
    case 0x81:
      return "malformed_packet";
    case 0x82:
      return "protocol_error";
    case 0x83:
      return "implementation_specific_error";
    case 0x84:
      return "unsupported_protocol_version";
    case 0x85:
      return "client_identifier_not_valid";
    case 0x86:
      return "bad_username_or_password";
    case 0x87:
      return "not_authorized";
    case 0x88:
      return "server_unavailable";
    case 0x89:
      return "server_busy";
    case 0x8A:
      return "banned";
    case 0x8B:
      return "server_shutting_down";
    case 0x8C:
      return "bad_authentication_method";
    case 0x8D:
      return "keep_alive_timeout";
    case 0x8E:
      return "session_taken_over";
    case 0x8F:
      return "topic_filter_invalid";
    case 0x90:
      return "topic_name_invalid";
    case 0x91:
      return "packet_identifier_in_use";
    case 0x92:
      return "packet_identifier_not_found";
    case 0x93:
      return "receive_maximum_exceeded";
    case 0x94:
      return "topic_alias_invalid";
    case 0x95:
      return "packet_too_large";
    case 0x96:
      return "message_rate_too_high";
    case 0x97:
      return "quota_exceeded";
    case 0x98:
      return "administrative_action";
    case 0x99:
      return "payload_format_invalid";
    case 0x9A:
      return "retain_not_supported";
    case 0x9B:
      return "qos_not_supported";
    case 0x9C:
      return "use_another_server";
    case 0x9D:
      return "server_moved";
    case 0x9E:
      return "shared_subscriptions_not_supported";
    case 0x9F:
      return "connection_rate_exceeded";
    case 0xA0:
      return "maximum_connect_time";
    case 0xA1:
      return "subscription_identifiers_not_supported";
    case 0xA2:
      return "wildcard_subscriptions_not_supported";
    default:
      return {};
  }
}

std::string_view connack_311_name(std::uint8_t code) noexcept {
  switch (code) {
    case 0:
      return "accepted";
    case 1:
      return "unsupported_protocol_version";
    case 2:
      return "client_identifier_not_valid";
    case 3:
      return "server_unavailable";
    case 4:
      return "bad_username_or_password";
    case 5:
      return "not_authorized";
    default:
      return {};
  }
}

/// "code_0xNN" for the codes no version names, made once.
std::string_view unnamed(std::uint8_t code) {
  static const auto kNames = [] {
    std::array<std::string, 256> names;
    for (std::size_t i = 0; i < names.size(); ++i) names[i] = fmt::format("code_0x{:02x}", i);
    return names;
  }();
  return kNames[code];
}

}  // namespace

std::string_view reason_name(std::uint8_t code, bool connack_311) noexcept {
  std::string_view name = connack_311 ? connack_311_name(code) : v5_name(code);
  return name.empty() ? unnamed(code) : name;
}

}  // namespace swarm::protocol::builtin::mqtt
