// PlanCursor: where one connection is in the plan, and what it does next,
// with the original's semantics: for each action in order, `rounds` calls
// (drawn once per iteration), each followed by `sleep_between_rounds`, then
// `sleep_after_action`; after the last action, a new iteration. Draws come
// from the worker's random generator. No I/O, so the walk is tested alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "plan/plan.hpp"
#include "plan/rng.hpp"

namespace swarm::engine {

class PlanCursor {
 public:
  /// What to do next.
  struct Step {
    enum class Kind : std::uint8_t {
      call,       // run the command of `action`
      sleep,      // sleep for `duration`
      iteration,  // an iteration just ended (the next step starts another)
    };
    Kind kind;
    std::uint32_t action = 0;             // for call: the plan action
    bool idle = false;                    // for iteration: it made no call (rounds: 0)
    std::chrono::nanoseconds duration{};  // for sleep
  };

  /// Walks `actions` (at least one), which must outlive the cursor.
  explicit PlanCursor(const std::vector<plan::Action>& actions) noexcept : actions_(actions) {}

  /// The next step, drawing rounds and sleeps from `rng`.
  Step next(plan::Rng& rng);

 private:
  /// What comes next within the current action.
  enum class Phase : std::uint8_t {
    enter,    // draw the action's rounds
    call,     // call its command
    between,  // sleep between rounds
    after,    // sleep after the action
    leave,    // go to the next action
  };

  const std::vector<plan::Action>& actions_;  // the plan's actions
  std::int64_t rounds_left_ = 0;              // calls still to make for this action
  std::uint32_t index_ = 0;                   // the current action
  Phase phase_ = Phase::enter;                // what comes next
  bool called_ = false;                       // a call was made in this iteration
};

}  // namespace swarm::engine
