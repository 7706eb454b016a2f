// Addresses from the command line: `host:port`, `[v6]:port`, and lists of
// local source addresses (`a,b`, `127.0.0.1-127.0.0.50`, `127.0.0.0/28`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine_config.hpp"

namespace swarm::engine {

/// Splits `host:port` or `[v6]:port` into host and port. Throws
/// std::invalid_argument with a message naming the text.
std::pair<std::string, std::uint16_t> split_host_port(std::string_view text);

/// Resolves `host:port` (names too) to every address it has. Throws
/// std::runtime_error when it has none.
std::vector<SocketAddress> resolve(std::string_view text);

/// Resolves one --server (`host:port`, `[v6]:port`) to a ServerTarget with
/// every address, in the resolver's order. With `sources`, keeps only the
/// addresses of a family some source has (an IPv4 source cannot reach an IPv6
/// server). Throws std::runtime_error naming the server when nothing is left.
ServerTarget resolve_server(std::string_view text, const std::vector<SocketAddress>& sources = {});

/// The addresses some source can reach (same family); all when `sources`
/// is empty (the kernel picks the source).
std::vector<SocketAddress> reachable_from(std::vector<SocketAddress> addresses,
                                          const std::vector<SocketAddress>& sources);

/// Whether `host` is a numeric IPv4 or IPv6 address (not a name).
bool is_numeric_host(std::string_view host);

/// Parses a comma-separated list of source addresses, each a single address,
/// an IPv4 range `a-b` or an IPv4 CIDR `a/n` (at most 65536 addresses).
/// Throws std::invalid_argument naming the bad part.
std::vector<SocketAddress> parse_sources(std::string_view text);

/// Why this host cannot send from `source` (bind() fails: the address is
/// not one of its own), as an errno; 0 when it can. Binds a throwaway socket
/// without taking a port.
int source_bind_error(const SocketAddress& source);

/// "127.0.0.1:8080" / "[::1]:8080" for messages.
std::string to_string(const SocketAddress& address);

}  // namespace swarm::engine
