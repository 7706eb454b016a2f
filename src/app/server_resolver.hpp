// ServerResolver: resolves the run's server names again when connects keep
// failing (a service that moved, a DNS record that changed), and gives the
// engine any new address list. Names resolve on asio's resolver thread, so
// the control thread never blocks on DNS.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/engine.hpp"

namespace swarm::app {

class ServerResolver {
 public:
  ServerResolver(asio::io_context& io, engine::Engine& engine);

  /// Called every status interval with the connect failures counted since
  /// the start: when there are new ones, names are resolved again.
  void on_interval(std::uint64_t connect_failures);

 private:
  void resolve(std::size_t index);

  engine::Engine& engine_;                     // gets the new lists
  asio::ip::tcp::resolver resolver_;           // runs getaddrinfo off this thread
  std::vector<engine::ServerTarget> servers_;  // the lists the engine has now
  std::uint64_t failures_seen_ = 0;            // connect failures at the last check
  std::size_t pending_ = 0;                    // resolutions under way
};

}  // namespace swarm::app
