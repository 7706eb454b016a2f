#include "protocol/builtin/registry.hpp"

namespace swarm::protocol {

std::span<const BuiltinProtocol> builtin_protocols() noexcept {
  // A new protocol adds its folder and one line here, sorted by name.
  return {};
}

const BuiltinProtocol* find_protocol(std::span<const BuiltinProtocol> protocols,
                                     std::string_view name) noexcept {
  for (const BuiltinProtocol& protocol : protocols) {
    if (name == protocol.name) return &protocol;
  }
  return nullptr;
}

}  // namespace swarm::protocol
