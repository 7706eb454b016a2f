// Drawing a value from a `[lo, hi]` range of the plan, both ends included.
#pragma once

#include <chrono>
#include <cstdint>

#include "plan/plan.hpp"
#include "plan/rng.hpp"

namespace swarm::plan {

/// A uniform count in [lo, hi], both ends included.
std::int64_t draw(const CountRange& range, Rng& rng);

/// A uniform duration in [lo, hi], both ends included. When the range was
/// written in whole seconds, a whole number of seconds is drawn, as the
/// original did (`[1, 5]` gives 1, 2, 3, 4 or 5 s, never 2.7 s); otherwise
/// any nanosecond in the range.
std::chrono::nanoseconds draw(const DurationRange& range, Rng& rng);

}  // namespace swarm::plan
