// ServerList: one worker's view of the servers under test. Each --server is
// a name and the addresses it resolved to, in the resolver's order. Connects
// go round-robin over the servers; within one server they go to the address
// that accepted last, and fall back through the others in order when it
// fails, as curl or redis-benchmark do for `localhost` (often [::1] first,
// while the server may listen on 127.0.0.1 only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine_config.hpp"

namespace swarm::engine {

class ServerList {
 public:
  /// Which address of which server a connect goes to.
  struct Pick {
    std::uint32_t server = 0;   // index into the servers
    std::uint32_t address = 0;  // index into that server's addresses
  };

  explicit ServerList(std::vector<ServerTarget> servers);

  /// The next server (round-robin) at its preferred address.
  Pick next() noexcept;
  /// The address to try after `failed` in the same connect attempt, which
  /// began at `first`; nothing once every address has been tried.
  std::optional<Pick> after_failure(Pick first, Pick failed) const noexcept;
  /// `pick` accepted a connection: later connects to its server start there.
  /// Returns true when that changed the preferred address.
  bool accepted(Pick pick) noexcept;
  /// Every address of `server` failed in one attempt. Returns true the first
  /// time since the server last accepted (so the user is told once).
  bool all_failed(std::size_t server) noexcept;
  /// Replaces a server's addresses (after a new resolution); keeps the
  /// preferred address when it is still among them.
  void replace(std::size_t server, std::vector<SocketAddress> addresses);

  const SocketAddress& address(Pick pick) const noexcept {
    return servers_[pick.server].addresses[pick.address];
  }
  const ServerTarget& server(std::size_t index) const noexcept { return servers_[index]; }
  std::size_t size() const noexcept { return servers_.size(); }

 private:
  std::vector<ServerTarget> servers_;     // names and addresses, never empty lists
  std::vector<std::uint32_t> preferred_;  // per server: the address that accepted last
  std::vector<bool> failing_;             // per server: all addresses failed, told once
  std::size_t next_ = 0;                  // round-robin position
};

/// How a client names `server` to it (Client::server_name(), an HTTP Host
/// header): its host as given, or the --tls-sni name under TLS, with
/// `:PORT` unless the port is the scheme's default (80, or 443 under TLS).
std::string server_name_of(const ServerTarget& server, const TlsConfig& tls);

/// Whether two socket addresses are the same (family, address, port).
bool same_address(const SocketAddress& a, const SocketAddress& b) noexcept;

}  // namespace swarm::engine
