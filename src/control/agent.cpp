#include "control/agent.hpp"

namespace swarm::control {

const char* to_string(AgentState state) noexcept {
  switch (state) {
    case AgentState::waiting:
      return "waiting";
    case AgentState::up:
      return "up";
    case AgentState::lost:
      return "lost";
    case AgentState::refused:
      return "refused";
    case AgentState::restarted:
      return "restarted";
  }
  return "unknown";
}

bool Agent::counted() const noexcept {
  return last.has_value() &&
         (state == AgentState::up || state == AgentState::lost || state == AgentState::restarted);
}

stats::Recorder Agent::counted_totals() const {
  return baseline ? last->totals.since(*baseline) : last->totals;
}

}  // namespace swarm::control
