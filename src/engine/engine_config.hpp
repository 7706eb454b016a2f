// EngineConfig: everything the engine needs to know about a run, already
// parsed and resolved (the app layer turns flags into this).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
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

/// TLS for every connection of the run (--tls and the --tls-* flags).
struct TlsConfig {
  bool enabled = false;            // --tls: every connection speaks TLS
  std::string ca_file;             // --tls-ca: PEM file or directory; empty = system store
  bool insecure = false;           // --tls-insecure: no certificate verification at all
  std::optional<std::string> sni;  // --tls-sni: name sent and verified; unset = each
                                   // server's host name (none for an IP address)
  std::string cert_file;           // --tls-cert: client certificate chain (PEM)
  std::string key_file;            // --tls-key: its private key (PEM); empty = in cert_file
  std::vector<std::string> alpn;   // --tls-alpn: protocols offered, in order
  int min_version = 0;             // --tls-min-version: TLS1_2_VERSION / TLS1_3_VERSION;
                                   // 0 = OpenSSL's default
  bool resume = false;             // --tls-resume: reconnects resume the last session
};

struct EngineConfig {
  std::vector<ServerTarget> servers;   // where to connect; round-robin
  std::vector<SocketAddress> sources;  // local addresses to bind; empty = any
  std::size_t threads = 1;             // worker threads
  double connect_rate = 0;             // new connections per second; 0 = unpaced
  std::size_t max_connecting = 1000;   // connects in flight at once (all workers)
  double rate = 0;  // rate mode: command calls per second, all connections together; 0 = off
                    // (the plan's sleeps pace the calls)
  std::chrono::nanoseconds timeout{std::chrono::seconds(10)};  // reply (and send) timeout; 0 = none
  std::chrono::nanoseconds connect_timeout{std::chrono::seconds(10)};  // connect timeout; 0 = none
  std::chrono::nanoseconds backoff_min{std::chrono::milliseconds(100)};  // first retry delay
  std::chrono::nanoseconds backoff_max{std::chrono::seconds(5)};         // longest retry delay
  std::size_t max_reply = std::size_t{1} << 20;  // bytes one reply (or the pushed data kept
                                                 // between reads) may take; 0 = no limit
  int sndbuf = 1024;                             // SO_SNDBUF before connect; 0 = kernel default
  int rcvbuf = 128;                            // SO_RCVBUF before connect; 0 = kernel default (the
                                               // kernel rounds tiny values up to its minimum)
  std::size_t max_sockets = SIZE_MAX;          // descriptors the connections may hold
                                               // (all workers); the rest stay free
  std::uint64_t seed = 0;                      // random seed; 0 = from the clock
  TlsConfig tls;                               // TLS on every connection, or not
  std::function<void(std::string)> on_notice;  // a one-line message for the user (an
                                               // address fell back, say); called on a
                                               // worker's thread; may be empty
};

}  // namespace swarm::engine
