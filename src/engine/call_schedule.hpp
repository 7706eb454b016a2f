// CallSchedule: when one connection's next command call is due in rate mode
// (--rate, a plan's `rate:`, the console's `rate R`): the open model, where
// calls go out at fixed intended times whatever the server does, instead of
// after the plan's sleeps.
//
// Each connection calls once per `period` (connections asked for / rate, so
// all together make the rate), starting at a random phase within its first
// period so that connections opened together do not fire together. A call
// is due one period after the previous call was due, not after it was made:
// a connection that fell behind (its server stalled) is due at once, again
// and again, until it has made every call it owes. No call is ever skipped,
// and each call's latency is measured from the time it was due, so the
// backlog shows in the latency (wrk2's model; coordinated omission avoided).
//
// 8 bytes, kept in the connection: its only state is the next due time.
#pragma once

#include <chrono>
#include <cstdint>

#include "engine/timer_heap.hpp"

namespace swarm::engine {

class CallSchedule {
 public:
  /// Whether a call is due at a known time (false until the first due()
  /// after a reset()).
  bool started() const noexcept { return next_ != Clock::time_point{}; }

  /// When the next call is due. The first time after a reset, a random
  /// phase is drawn: now + unit * period (`unit` uniform in [0, 1)).
  Clock::time_point due(Clock::time_point now, Clock::duration period, double unit) noexcept;

  /// The call that was due has been made: the next is due one period
  /// later, whether or not that time has passed already.
  void advance(Clock::duration period) noexcept { next_ += period; }

  /// The period changed from `before` to `after` at `now` (both non-zero):
  /// a call due in the future keeps its place in the period, scaled (a
  /// uniform phase stays uniform); a call already due stays due (the
  /// backlog is kept; later calls follow the new period).
  void retime(Clock::time_point now, Clock::duration before, Clock::duration after) noexcept;

  /// Calls due by `now` and not yet made (0 when on time).
  std::uint64_t owed(Clock::time_point now, Clock::duration period) const noexcept {
    if (!started() || next_ > now || period <= Clock::duration::zero()) return 0;
    return static_cast<std::uint64_t>((now - next_) / period) + 1;
  }

  /// Forgets the schedule: the next due() draws a new phase. After a
  /// backoff, or when rate mode is switched on or off.
  void reset() noexcept { next_ = Clock::time_point{}; }

 private:
  Clock::time_point next_{};  // when the next call is due; epoch: not started
};

}  // namespace swarm::engine
