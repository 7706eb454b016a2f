// What the controller asks of an agent, over the agent's own HTTP API
// (--http): its snapshot (GET /api/snapshot), its configuration (GET
// /api/config), a share (POST /api/target) and the stop (POST /api/stop).
// Every call is bounded in time; a failure throws AgentError saying what
// happened, in words for the status block.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "stats/snapshot_json.hpp"

namespace swarm::control {

/// An agent that did not answer, or not as expected.
struct AgentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// How to reach the agents.
struct AgentAccess {
  std::string token;                        // Authorization: Bearer (empty: none)
  std::chrono::milliseconds timeout{5000};  // per call
};

/// An agent's answer to a command.
struct AgentReply {
  std::string reply;                  // its first line: "OK ..." or what is wrong
  std::vector<std::string> warnings;  // the lines after (capacity warnings)
  bool ok = false;                    // the reply starts with OK
};

/// A share for one agent: absolute values, so that sending it again is
/// harmless.
struct AgentShare {
  std::optional<std::uint64_t> connections;  // n: connections to hold
  std::optional<double> rate;                // r: calls per second (0: off)
  std::optional<double> at_unix;             // when, Unix seconds (unset: now)
};

asio::awaitable<stats::RunSnapshot> fetch_snapshot(asio::ip::tcp::endpoint agent,
                                                   const AgentAccess& access);
/// Its configuration as the report writes it (JSON text).
asio::awaitable<std::string> fetch_config(asio::ip::tcp::endpoint agent, const AgentAccess& access);
asio::awaitable<AgentReply> send_share(asio::ip::tcp::endpoint agent, const AgentAccess& access,
                                       AgentShare share);
asio::awaitable<AgentReply> send_stop(asio::ip::tcp::endpoint agent, const AgentAccess& access);

/// The body of POST /api/target for `share` (JSON).
std::string share_body(const AgentShare& share);

}  // namespace swarm::control
