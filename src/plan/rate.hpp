// Rates of the open model (rate mode): calls per second, all connections
// together, as given by --rate, a plan's `rate:` or the console's `rate R`.
// One check, so that every door says the same thing about a bad value.
#pragma once

#include <optional>
#include <string>

namespace swarm::plan {

/// The largest rate taken: more than one machine sends, so surely a typo.
inline constexpr double kMaxRate = 1e8;
/// The smallest non-zero rate taken (one call in about 17 minutes).
inline constexpr double kMinRate = 0.001;

/// What is wrong with `per_second` as a rate (0 is fine: off), or nullopt:
/// "rate -5 is negative", "rate nan is not a number", "rate 1e+09 is more
/// than 100000000 calls per second".
std::optional<std::string> rate_problem(double per_second);

}  // namespace swarm::plan
