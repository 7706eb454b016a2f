// EngineConfig: everything the engine needs to know about a run, already
// parsed and resolved (the app layer turns flags into this).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace swarm::engine {

/// A socket address ready for connect() or bind(): IPv4 or IPv6.
struct SocketAddress {
  sockaddr_storage storage{};  // the address, family in ss_family
  socklen_t length = 0;        // bytes of storage in use
};

/// One server under test: its name as given (`localhost:6379`) and the
/// addresses it resolved to, in the order they are tried.
struct ServerTarget {
  std::string name;                      // as on the command line
  std::vector<SocketAddress> addresses;  // never empty
  bool literal = false;                  // an address, not a name: never re-resolved
};

/// A timeout that never comes (100 years): what a timeout of "none" is set
/// to, far from overflowing `now + timeout`.
inline constexpr std::chrono::nanoseconds kNoTimeout = std::chrono::hours(24 * 365 * 100);

struct EngineConfig {
  std::vector<ServerTarget> servers;   // where to connect; round-robin
  std::vector<SocketAddress> sources;  // local addresses to bind; empty = any
  std::size_t threads = 1;             // worker threads
  double connect_rate = 0;             // new connections per second; 0 = unpaced
  std::size_t max_connecting = 1000;   // connects in flight at once (all workers)
  std::chrono::nanoseconds timeout{std::chrono::seconds(10)};            // reply timeout (or
                                                                         // kNoTimeout)
  std::chrono::nanoseconds connect_timeout{std::chrono::seconds(10)};    // connect timeout (or
                                                                         // kNoTimeout)
  std::chrono::nanoseconds backoff_min{std::chrono::milliseconds(100)};  // first retry delay
  std::chrono::nanoseconds backoff_max{std::chrono::seconds(5)};         // longest retry delay
  int sndbuf = 1024;                           // SO_SNDBUF before connect; 0 = kernel default
  int rcvbuf = 128;                            // SO_RCVBUF before connect; 0 = kernel default (the
                                               // kernel rounds tiny values up to its minimum)
  std::size_t max_sockets = SIZE_MAX;          // descriptors the connections may hold
                                               // (all workers); the rest stay free
  std::uint64_t seed = 0;                      // random seed; 0 = from the clock
  std::function<void(std::string)> on_notice;  // a one-line message for the user (an
                                               // address fell back, say); called on a
                                               // worker's thread; may be empty
};

}  // namespace swarm::engine
