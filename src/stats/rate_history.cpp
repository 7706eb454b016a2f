#include "stats/rate_history.hpp"

#include <algorithm>

namespace swarm::stats {

void RateHistory::set(TimePoint at, double per_second) {
  if (!changes_.empty()) {
    if (changes_.back().per_second == per_second) return;
    at = std::max(at, changes_.back().at);
  } else if (per_second == 0) {
    return;  // off from the start: nothing to say
  }
  changes_.push_back({at, per_second});
}

bool RateHistory::used() const noexcept {
  return std::any_of(changes_.begin(), changes_.end(),
                     [](const RateChange& change) { return change.per_second > 0; });
}

double RateHistory::target_at(TimePoint at) const noexcept {
  double target = 0;
  for (const auto& change : changes_) {
    if (change.at > at) break;
    target = change.per_second;
  }
  return target;
}

double RateHistory::seconds_on(TimePoint from, TimePoint to) const noexcept {
  double seconds = 0;
  for (std::size_t i = 0; i < changes_.size(); ++i) {
    if (changes_[i].per_second <= 0) continue;
    const TimePoint start = std::max(from, changes_[i].at);
    const TimePoint end = i + 1 < changes_.size() ? std::min(to, changes_[i + 1].at) : to;
    if (end > start) seconds += std::chrono::duration<double>(end - start).count();
  }
  return seconds;
}

}  // namespace swarm::stats
