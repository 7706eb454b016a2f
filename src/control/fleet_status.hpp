// The fleet's part of the status block: a line on the fleet (agents up,
// the shares and their sum) and one line per agent (its share, open
// connections, requests per second, errors and p99 over the last interval,
// when it last answered), lost and refused agents first with why.
#pragma once

#include <cstddef>
#include <string>

#include "control/fleet.hpp"

namespace swarm::control {

/// At most this many agent lines; past it, a line says how many more.
inline constexpr std::size_t kMaxAgentLines = 32;

/// The fleet's lines, every line ending in '\n'. `expected`: the agents
/// waited for at the start.
std::string format_fleet(const Fleet& fleet, std::size_t expected, Clock::time_point now);

/// One agent's line (without the line end).
std::string format_agent(const Agent& agent, Clock::time_point now);

/// While the controller waits for its agents: how many answered, who is
/// missing and why.
std::string format_waiting(const Fleet& fleet, std::size_t expected, double waited_s);

}  // namespace swarm::control
