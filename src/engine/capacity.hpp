// Capacity: what this machine lets one run reach, and a warning before a
// target exceeds it. Every limit a user can hit gets a number and the setting
// that moves it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace swarm::engine {

struct Capacity {
  std::uint64_t files_before = 0;   // RLIMIT_NOFILE soft limit found at start
  std::uint64_t files = 0;          // soft limit after raising it to the hard one
  std::uint64_t files_hard = 0;     // RLIMIT_NOFILE hard limit
  std::uint32_t port_low = 32768;   // net.ipv4.ip_local_port_range, low end
  std::uint32_t port_high = 60999;  // net.ipv4.ip_local_port_range, high end
  std::size_t sources = 1;          // local source addresses in use (1 = any)
  std::size_t servers = 1;          // server addresses connected to

  /// Connections the open-files limit allows (a few descriptors are kept
  /// for swarm itself).
  std::uint64_t by_files() const noexcept;
  /// Connections the ephemeral ports allow: sources x ports x servers.
  std::uint64_t by_ports() const noexcept;
  /// The smaller of the two.
  std::uint64_t connections() const noexcept;
  /// One line for the start of a run.
  std::string describe() const;
  /// A warning with the setting to change when `target` exceeds a limit.
  std::optional<std::string> warning_for(std::uint64_t target) const;
};

/// Raises the open-files soft limit to the hard limit and reads the port
/// range; fills `sources` and `servers` from the arguments.
Capacity probe_capacity(std::size_t sources, std::size_t servers);

}  // namespace swarm::engine
