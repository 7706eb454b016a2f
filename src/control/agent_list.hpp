// Where a fleet's agents are: --agents host:port,... (one agent each) or
// dns:NAME:PORT (every A and AAAA record of NAME, which is what a
// Kubernetes headless Service answers, one agent per address). The list is
// resolved again every interval, so agents that come and go are followed.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace swarm::control {

/// One entry of --agents.
struct AgentSource {
  std::string host;            // a name or an address literal (without brackets)
  std::uint16_t port = 0;      // the agents' --http port
  bool every_address = false;  // dns:NAME:PORT: one agent per address of the name

  /// As written: "10.0.0.7:8412", "[::1]:8412", "dns:swarm-agents:8412".
  std::string text() const;
};

/// Parses --agents ("a:1,b:2", "dns:name:8412", or both). Throws
/// std::invalid_argument naming the entry and what is wrong.
std::vector<AgentSource> parse_agent_list(const std::string& list);

/// How many agents the list names for sure: the host:port entries (a dns:
/// entry counts 1, as it may resolve to one address).
std::size_t listed_agents(const std::vector<AgentSource>& sources);

/// What one resolution found.
struct Resolved {
  std::vector<asio::ip::tcp::endpoint> endpoints;  // every agent, no repeats, in order
  std::vector<std::string> problems;               // "dns:x:8412: Host not found", per failure
};

/// Resolves every source (names through the system resolver, each within
/// `timeout`): a host:port entry gives its first address, a dns: entry all.
asio::awaitable<Resolved> resolve_agents(std::vector<AgentSource> sources,
                                         std::chrono::milliseconds timeout);

/// "10.0.0.7:8412" or "[fd00::7]:8412".
std::string to_string(const asio::ip::tcp::endpoint& endpoint);

}  // namespace swarm::control
