#include "control/fleet.hpp"

#include <fmt/format.h>

#include <utility>

#include "control/agent_list.hpp"
#include "stats/units.hpp"

namespace swarm::control {
namespace {

/// "sha256:0123456789ab": enough of a digest to tell two apart on a line.
std::string short_digest(const std::string& digest) {
  return digest.substr(0, std::min<std::size_t>(digest.size(), 19));
}

}  // namespace

stats::Recorder counts_only(stats::Recorder r) {
  r.in_state = {};
  r.open = 0;
  r.target = 0;
  r.dialing = 0;
  r.memory = {};
  r.owed_calls = 0;
  for (std::size_t i = 0; i < r.actions.commands().size(); ++i) r.actions.command(i).in_flight = 0;
  return r;
}

void Fleet::offer(const std::vector<asio::ip::tcp::endpoint>& endpoints) {
  for (const auto& endpoint : endpoints) {
    const std::string address = to_string(endpoint);
    if (agents_.contains(address)) continue;
    Agent agent;
    agent.address = address;
    agent.endpoint = endpoint;
    agents_.emplace(address, std::move(agent));
  }
}

std::vector<Agent*> Fleet::agents() {
  std::vector<Agent*> out;
  for (auto& [address, agent] : agents_) out.push_back(&agent);
  return out;
}

std::vector<const Agent*> Fleet::agents() const {
  std::vector<const Agent*> out;
  for (const auto& [address, agent] : agents_) out.push_back(&agent);
  return out;
}

std::vector<Agent*> Fleet::members() {
  std::vector<Agent*> out;
  for (auto& [address, agent] : agents_) {
    if (agent.member()) out.push_back(&agent);
  }
  return out;
}

std::size_t Fleet::answered() const {
  std::size_t count = 0;
  for (const auto& [address, agent] : agents_) count += agent.last.has_value() ? 1 : 0;
  return count;
}

void Fleet::admit(const std::string& digest) {
  digest_ = digest;
  std::vector<std::string> ignored;
  for (auto& [address, agent] : agents_) {
    if (agent.state == AgentState::waiting && agent.last) check(agent, ignored);
  }
}

void Fleet::check(Agent& agent, std::vector<std::string>& news) {
  if (digest_.empty()) return;  // not started: checked all together at the start
  if (agent.last->agent.digest == digest_) return join(agent, news);
  agent.state = AgentState::refused;
  agent.note = fmt::format("runs another plan or module ({}, the fleet runs {})",
                           short_digest(agent.last->agent.digest), short_digest(digest_));
  news.push_back(fmt::format("agent {} {}: not used", agent.address, agent.note));
}

void Fleet::join(Agent& agent, std::vector<std::string>& news) {
  agent.state = AgentState::up;
  agent.note.clear();
  agent.at_interval = agent.last->totals;
  agent.at_interval_unix = agent.last->taken_unix;
  const stats::Recorder& before = agent.last->totals;
  if (before.connect_attempts > 0 || before.requests > 0 || before.iterations > 0) {
    agent.baseline = before;
  }
  changed_ = true;
  news.push_back(
      fmt::format("agent {} joined (host {}, run {}, swarm {}){}", agent.address,
                  agent.last->agent.host, agent.last->agent.run_id, agent.last->agent.version,
                  agent.baseline ? fmt::format("; its {} requests from before are not the fleet's",
                                               agent.baseline->requests)
                                 : ""));
}

std::vector<std::string> Fleet::answered(Agent& agent, stats::RunSnapshot snapshot,
                                         double round_trip_s, Clock::time_point now) {
  std::vector<std::string> news;
  if (agent.last && agent.last->agent.run_id != snapshot.agent.run_id) {
    // Another process at that address: keep what the old one counted.
    if (agent.counted()) {
      Agent old = agent;
      old.state = AgentState::restarted;
      old.note = fmt::format("restarted as run {}", snapshot.agent.run_id);
      retired_.push_back(std::move(old));
    }
    news.push_back(
        fmt::format("agent {} restarted (run {} is now {}): the old run's counts are "
                    "kept",
                    agent.address, agent.last->agent.run_id, snapshot.agent.run_id));
    if (agent.member()) changed_ = true;
    const std::string address = agent.address;
    const asio::ip::tcp::endpoint endpoint = agent.endpoint;
    agent = Agent{};
    agent.address = address;
    agent.endpoint = endpoint;
  }
  const AgentState before = agent.state;
  agent.last = std::move(snapshot);
  agent.last_seen = now;
  agent.missed = 0;
  agent.round_trip_s = round_trip_s;
  if (before == AgentState::lost) {
    agent.state = AgentState::up;
    agent.note.clear();
    changed_ = true;
    news.push_back(fmt::format("agent {} answers again", agent.address));
  } else if (before == AgentState::waiting) {
    check(agent, news);
  }
  return news;
}

std::vector<std::string> Fleet::missed(Agent& agent, const std::string& why, bool count) {
  std::vector<std::string> news;
  agent.note = why;
  if (!count) return news;
  if (++agent.missed < kMissesToLose || agent.state != AgentState::up) return news;
  agent.state = AgentState::lost;
  agent.share_unsent = false;
  changed_ = true;
  const stats::Recorder& last = agent.last->totals;
  news.push_back(fmt::format(
      "agent {} lost: no answer for {} intervals ({}); its last counts are kept (requests {}), "
      "its {} open connections are no longer counted",
      agent.address, agent.missed, why, stats::format_count(last.requests), last.open));
  return news;
}

stats::Recorder Fleet::merged() const {
  stats::Recorder total;
  auto add = [&total](const Agent& agent) {
    if (!agent.counted()) return;
    stats::Recorder counts = agent.counted_totals();
    total.merge(agent.member() ? counts : counts_only(std::move(counts)));
  };
  for (const auto& [address, agent] : agents_) add(agent);
  for (const auto& agent : retired_) add(agent);
  return total;
}

std::uint64_t Fleet::shares() const {
  std::uint64_t total = 0;
  for (const auto& [address, agent] : agents_) total += agent.member() ? agent.share : 0;
  return total;
}

}  // namespace swarm::control
