#include "control/fleet_status.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "stats/units.hpp"

namespace swarm::control {
namespace {

using Seconds = std::chrono::duration<double>;

std::uint64_t errors_of(const stats::Recorder& r) {
  std::uint64_t total = 0;
  for (const auto count : r.errors) total += count;
  return total;
}

/// "open 100  req/s 1.2k  errors 0  p99 1.20ms": its last interval.
std::string interval_figures(const Agent& agent) {
  const stats::Recorder& now = agent.last->totals;
  const stats::Recorder& before = agent.at_interval;
  const double seconds = agent.last->taken_unix - agent.at_interval_unix;
  const std::uint64_t requests = now.requests - std::min(now.requests, before.requests);
  const std::uint64_t errors = errors_of(now) - std::min(errors_of(now), errors_of(before));
  const stats::Histogram latency =
      stats::all_commands(now).latency_us.since(stats::all_commands(before).latency_us);
  return fmt::format(
      "open {}  req/s {}  errors {}  p99 {}", now.open,
      seconds > 0 ? stats::format_rate(static_cast<double>(requests) / seconds) : "-", errors,
      latency.empty() ? "-" : stats::format_us(latency.percentile(99)));
}

std::string seen(const Agent& agent, Clock::time_point now) {
  if (!agent.last) return "never answered";
  return fmt::format("seen {:.1f}s ago", Seconds(now - agent.last_seen).count());
}

/// Problems first (lost, refused, waiting), then the members, each in
/// address order.
int rank(const Agent& agent) {
  switch (agent.state) {
    case AgentState::lost:
      return 0;
    case AgentState::refused:
      return 1;
    case AgentState::waiting:
      return 2;
    default:
      return 3;
  }
}

}  // namespace

std::string format_agent(const Agent& agent, Clock::time_point now) {
  const std::string head = fmt::format("  {:<22} {:<8}", agent.address, to_string(agent.state));
  switch (agent.state) {
    case AgentState::up:
      return fmt::format("{} share {}  {}  {}{}", head, agent.share, interval_figures(agent),
                         seen(agent, now), agent.share_unsent ? "  (share not yet taken)" : "");
    case AgentState::lost:
      return fmt::format("{} {}: {}; last counts kept (requests {})", head, seen(agent, now),
                         agent.note, stats::format_exact(agent.last->totals.requests));
    case AgentState::refused:
      return fmt::format("{} {}; not counted", head, agent.note);
    case AgentState::waiting:
      return fmt::format("{} {}{}", head, seen(agent, now),
                         agent.note.empty() ? "" : fmt::format(" ({})", agent.note));
    case AgentState::restarted:
      return fmt::format("{} {}", head, agent.note);
  }
  return head;
}

std::string format_fleet(const Fleet& fleet, std::size_t expected, Clock::time_point now) {
  std::vector<const Agent*> agents = fleet.agents();
  std::stable_sort(agents.begin(), agents.end(),
                   [](const Agent* a, const Agent* b) { return rank(*a) < rank(*b); });
  std::size_t counts[5] = {};
  for (const Agent* agent : agents) ++counts[static_cast<int>(agent->state)];
  std::string out = fmt::format(
      "agents        up {} of {} expected  share sum {}  lost {}  refused {}  waiting {}",
      counts[static_cast<int>(AgentState::up)], expected, fleet.shares(),
      counts[static_cast<int>(AgentState::lost)], counts[static_cast<int>(AgentState::refused)],
      counts[static_cast<int>(AgentState::waiting)]);
  if (!fleet.retired().empty()) {
    out += fmt::format("  earlier runs {} (counts kept)", fleet.retired().size());
  }
  out += '\n';
  for (std::size_t i = 0; i < agents.size() && i < kMaxAgentLines; ++i) {
    out += format_agent(*agents[i], now) + '\n';
  }
  if (agents.size() > kMaxAgentLines) {
    out += fmt::format("  ... and {} more agents\n", agents.size() - kMaxAgentLines);
  }
  return out;
}

std::string format_waiting(const Fleet& fleet, std::size_t expected, double waited_s) {
  std::string out = fmt::format("swarm control: waiting for agents: {} of {} answered ({:.0f}s)\n",
                                fleet.answered(), expected, waited_s);
  for (const Agent* agent : fleet.agents()) {
    if (agent->last) continue;
    out += fmt::format("  {:<22} no answer yet{}\n", agent->address,
                       agent->note.empty() ? "" : fmt::format(": {}", agent->note));
  }
  return out;
}

}  // namespace swarm::control
