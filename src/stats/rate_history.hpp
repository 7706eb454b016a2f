// RateHistory: the rate mode's target over a run (--rate, a plan's
// `rate:`, the console's `rate R`), so that reports can say what was asked
// and, beside the calls made on a schedule, what was achieved.
#pragma once

#include <chrono>
#include <vector>

namespace swarm::stats {

/// From `at` on, the target was `per_second` calls per second (0: off).
struct RateChange {
  std::chrono::steady_clock::time_point at;  // when it was set
  double per_second = 0;                     // the target; 0: no rate (the plan's sleeps)
};

class RateHistory {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  /// The target becomes `per_second` (0: off) at `at` (not before the last
  /// change). A change to the same target is not kept.
  void set(TimePoint at, double per_second);
  /// Whether a rate was ever set: reports then show both latency views.
  bool used() const noexcept;
  /// The target now (0: off).
  double target() const noexcept { return changes_.empty() ? 0 : changes_.back().per_second; }
  /// The target in force at `at` (0: off).
  double target_at(TimePoint at) const noexcept;
  /// Seconds within [from, to] during which a target was in force.
  double seconds_on(TimePoint from, TimePoint to) const noexcept;
  /// Every change, in order.
  const std::vector<RateChange>& changes() const noexcept { return changes_; }

 private:
  std::vector<RateChange> changes_;  // in time order
};

}  // namespace swarm::stats
