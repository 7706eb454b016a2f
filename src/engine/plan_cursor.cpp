#include "engine/plan_cursor.hpp"

#include "plan/range_draw.hpp"

namespace swarm::engine {

PlanCursor::Step PlanCursor::next(plan::Rng& rng) {
  using Kind = Step::Kind;
  for (;;) {
    const plan::Action& action = actions_[index_];
    switch (phase_) {
      case Phase::enter:
        rounds_left_ = plan::draw(action.rounds, rng);
        phase_ = rounds_left_ > 0 ? Phase::call : Phase::after;
        continue;
      case Phase::call:
        --rounds_left_;
        phase_ = Phase::between;
        called_ = true;
        return {Kind::call, index_, false, {}};
      case Phase::between:
        phase_ = rounds_left_ > 0 ? Phase::call : Phase::after;
        return {Kind::sleep, index_, false, plan::draw(action.sleep_between_rounds, rng)};
      case Phase::after:
        phase_ = Phase::leave;
        return {Kind::sleep, index_, false, plan::draw(action.sleep_after_action, rng)};
      case Phase::leave: {
        phase_ = Phase::enter;
        if (++index_ < actions_.size()) continue;
        index_ = 0;
        const bool idle = !called_;
        called_ = false;
        return {Kind::iteration, 0, idle, {}};
      }
    }
  }
}

}  // namespace swarm::engine
