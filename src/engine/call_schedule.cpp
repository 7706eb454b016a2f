#include "engine/call_schedule.hpp"

namespace swarm::engine {
namespace {

/// `span` scaled by `factor`, in the clock's unit.
Clock::duration scaled(Clock::duration span, double factor) noexcept {
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double, Clock::period>(static_cast<double>(span.count()) * factor));
}

}  // namespace

Clock::time_point CallSchedule::due(Clock::time_point now, Clock::duration period,
                                    double unit) noexcept {
  if (!started()) {
    next_ = now + scaled(period, unit);
    // The epoch marks "not started": never land on it.
    if (next_ == Clock::time_point{}) next_ += Clock::duration(1);
  }
  return next_;
}

void CallSchedule::retime(Clock::time_point now, Clock::duration before,
                          Clock::duration after) noexcept {
  if (!started() || next_ <= now || before <= Clock::duration::zero()) return;
  next_ = now + scaled(next_ - now,
                       static_cast<double>(after.count()) / static_cast<double>(before.count()));
}

}  // namespace swarm::engine
