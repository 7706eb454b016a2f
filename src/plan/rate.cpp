#include "plan/rate.hpp"

#include <fmt/format.h>

#include <cmath>

namespace swarm::plan {

std::optional<std::string> rate_problem(double per_second) {
  if (std::isnan(per_second)) return "a rate must be a number of calls per second";
  if (per_second < 0) return fmt::format("rate {} is negative (0 or off: no rate)", per_second);
  if (per_second > kMaxRate) {
    return fmt::format("rate {} is more than {} calls per second", per_second, kMaxRate);
  }
  if (per_second > 0 && per_second < kMinRate) {
    return fmt::format("rate {} is below {} calls per second (0 or off: no rate)", per_second,
                       kMinRate);
  }
  return std::nullopt;
}

}  // namespace swarm::plan
