#include "app/server_resolver.hpp"

#include <algorithm>
#include <cstring>

#include "engine/address.hpp"
#include "engine/server_list.hpp"

namespace swarm::app {

ServerResolver::ServerResolver(asio::io_context& io, engine::Engine& engine)
    : engine_(engine), resolver_(io), servers_(engine.config().servers) {}

void ServerResolver::on_interval(std::uint64_t connect_failures) {
  const bool failing = connect_failures > failures_seen_;
  failures_seen_ = connect_failures;
  if (!failing || pending_ > 0) return;
  for (std::size_t i = 0; i < servers_.size(); ++i) {
    if (!servers_[i].literal) resolve(i);
  }
}

void ServerResolver::resolve(std::size_t index) {
  auto [host, port] = engine::split_host_port(servers_[index].name);
  ++pending_;
  resolver_.async_resolve(
      host, std::to_string(port), asio::ip::tcp::resolver::numeric_service,
      [this, index](const asio::error_code& error, asio::ip::tcp::resolver::results_type found) {
        --pending_;
        if (error) return;  // keep the addresses that were there
        std::vector<engine::SocketAddress> addresses;
        for (const auto& entry : found) {
          engine::SocketAddress address;
          std::memcpy(&address.storage, entry.endpoint().data(), entry.endpoint().size());
          address.length = static_cast<socklen_t>(entry.endpoint().size());
          addresses.push_back(address);
        }
        addresses = engine::reachable_from(std::move(addresses), engine_.config().sources);
        auto& current = servers_[index].addresses;
        const bool same = std::equal(addresses.begin(), addresses.end(), current.begin(),
                                     current.end(), engine::same_address);
        if (same || addresses.empty()) return;
        current = addresses;
        engine_.set_server_addresses(index, addresses);
      });
}

}  // namespace swarm::app
