#include "protocol/builtin/registry.hpp"

#include "protocol/builtin/builtin_module.hpp"
#include "protocol/builtin/http/http.hpp"
#include "protocol/builtin/memcached/memcached.hpp"
#include "protocol/builtin/mqtt/mqtt.hpp"
#include "protocol/builtin/redis/redis.hpp"
#include "protocol/builtin/websocket/websocket.hpp"

namespace swarm::protocol {

std::span<const BuiltinProtocol> builtin_protocols() noexcept {
  // A new protocol adds its folder and one line here, sorted by name.
  // One protocol per line, as written:
  // clang-format off
  static const BuiltinProtocol kProtocols[] = {
      {"http", builtin::http_protocol},
      {"memcached", builtin::memcached_protocol},
      {"mqtt", builtin::mqtt_protocol},
      {"redis", builtin::redis_protocol},
      {"websocket", builtin::websocket_protocol},
  };
  // clang-format on
  return kProtocols;
}

std::unique_ptr<Module> BuiltinProtocol::make() const {
  return std::make_unique<builtin::BuiltinModule>(protocol());
}

const BuiltinProtocol* find_protocol(std::span<const BuiltinProtocol> protocols,
                                     std::string_view name) noexcept {
  for (const BuiltinProtocol& protocol : protocols) {
    if (name == protocol.name) return &protocol;
  }
  return nullptr;
}

}  // namespace swarm::protocol
