#include "engine/server_list.hpp"

#include <cstring>
#include <stdexcept>
#include <tuple>

#include "engine/address.hpp"

namespace swarm::engine {

std::string server_name_of(const ServerTarget& server, const TlsConfig& tls) {
  std::string host;
  std::uint16_t port = 0;
  try {
    std::tie(host, port) = split_host_port(server.name);
  } catch (const std::invalid_argument&) {
    return server.name;  // not host:port (made in code, not from --server): as it is
  }
  if (tls.enabled && tls.sni && !tls.sni->empty()) {
    host = *tls.sni;
  } else if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";  // an IPv6 address, as a URL writes it
  }
  const std::uint16_t usual = tls.enabled ? 443 : 80;
  return port == usual ? host : host + ":" + std::to_string(port);
}

ServerList::ServerList(std::vector<ServerTarget> servers)
    : servers_(std::move(servers)),
      preferred_(servers_.size(), 0),
      failing_(servers_.size(), false) {
  if (servers_.empty()) throw std::invalid_argument("no server");
  for (const auto& server : servers_) {
    if (server.addresses.empty())
      throw std::invalid_argument("server '" + server.name + "' has no address");
  }
}

ServerList::Pick ServerList::next() noexcept {
  auto server = static_cast<std::uint32_t>(next_);
  next_ = (next_ + 1) % servers_.size();
  return {server, preferred_[server]};
}

std::optional<ServerList::Pick> ServerList::after_failure(Pick first, Pick failed) const noexcept {
  const auto count = static_cast<std::uint32_t>(servers_[failed.server].addresses.size());
  const std::uint32_t following = (failed.address + 1) % count;
  if (following == first.address) return std::nullopt;
  return Pick{failed.server, following};
}

bool ServerList::accepted(Pick pick) noexcept {
  failing_[pick.server] = false;
  if (preferred_[pick.server] == pick.address) return false;
  preferred_[pick.server] = pick.address;
  return true;
}

bool ServerList::all_failed(std::size_t server) noexcept {
  if (failing_[server]) return false;
  failing_[server] = true;
  return true;
}

void ServerList::replace(std::size_t server, std::vector<SocketAddress> addresses) {
  if (addresses.empty()) return;  // keep what worked before rather than nothing
  auto& target = servers_[server];
  const SocketAddress kept = target.addresses[preferred_[server]];
  target.addresses = std::move(addresses);
  preferred_[server] = 0;
  for (std::uint32_t i = 0; i < target.addresses.size(); ++i) {
    if (same_address(target.addresses[i], kept)) preferred_[server] = i;
  }
}

bool same_address(const SocketAddress& a, const SocketAddress& b) noexcept {
  return a.length == b.length && std::memcmp(&a.storage, &b.storage, a.length) == 0;
}

}  // namespace swarm::engine
