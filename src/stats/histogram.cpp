#include "stats/histogram.hpp"

#include <cmath>
#include <stdexcept>

namespace swarm::stats {

namespace {

constexpr std::uint64_t kNoMin = std::numeric_limits<std::uint64_t>::max();

/// How far bucket `index` is shifted: its width is 1 << shift_of(index).
std::uint64_t shift_of(std::size_t index) noexcept {
  return std::max<std::uint64_t>(index / Histogram::kSubBuckets, 1) - 1;
}

}  // namespace

std::uint64_t Histogram::lowest_in(std::size_t index) noexcept {
  const std::uint64_t shift = shift_of(index);
  return (index - shift * kSubBuckets) << shift;
}

std::uint64_t Histogram::highest_in(std::size_t index) noexcept {
  return lowest_in(index) + (std::uint64_t{1} << shift_of(index)) - 1;
}

Histogram::Histogram() : counts_(kBuckets, 0) {}

void Histogram::record_n(std::uint64_t value, std::uint64_t count) noexcept {
  if (count == 0) return;  // must not move min/max
  counts_[index_of(value)] += count;
  count_ += count;
  sum_ += value * count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

double Histogram::mean() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

Histogram Histogram::from_parts(const std::vector<std::pair<std::size_t, std::uint64_t>>& buckets,
                                std::uint64_t sum, std::uint64_t min, std::uint64_t max) {
  Histogram h;
  std::size_t lowest = kBuckets;
  std::size_t highest = 0;
  for (const auto& [index, count] : buckets) {
    if (index >= kBuckets) throw std::invalid_argument("histogram bucket index out of range");
    if (count == 0) continue;
    h.counts_[index] += count;
    h.count_ += count;
    lowest = std::min(lowest, index);
    highest = std::max(highest, index);
  }
  if (h.count_ == 0) return h;
  const bool min_fits = index_of(min) == lowest;
  const bool max_fits = index_of(max) == highest;
  if (!min_fits || !max_fits || min > max) {
    throw std::invalid_argument("histogram min/max do not fall in its lowest/highest bucket");
  }
  h.sum_ = sum;
  h.min_ = min;
  h.max_ = max;
  return h;
}

bool Histogram::operator==(const Histogram& other) const noexcept {
  return count_ == other.count_ && sum_ == other.sum_ && min() == other.min() &&
         max_ == other.max_ && counts_ == other.counts_;
}

std::uint64_t Histogram::percentile(double p) const noexcept {
  if (count_ == 0) return 0;
  if (!(p > 0)) return min();  // also catches NaN
  if (p >= 100) return max_;
  // Nearest-rank definition: the smallest value with at least p % of the
  // values at or below it.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return representative(i);
  }
  return max_;  // unreachable while counts_ sum to count_
}

std::uint64_t Histogram::representative(std::size_t index) const noexcept {
  // The top bucket also holds clamped values: only max() knows how large.
  if (index == kBuckets - 1) return max_;
  const std::uint64_t lowest = lowest_in(index);
  const std::uint64_t middle = lowest + (highest_in(index) - lowest) / 2;
  return std::clamp(middle, min(), max_);
}

void Histogram::merge(const Histogram& other) noexcept {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

Histogram Histogram::since(const Histogram& earlier) const {
  Histogram diff;
  std::size_t lowest = kBuckets;
  std::size_t highest = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    // Saturate: a histogram that is not a later copy must not wrap around.
    const std::uint64_t n = counts_[i] >= earlier.counts_[i] ? counts_[i] - earlier.counts_[i] : 0;
    if (n == 0) continue;
    diff.counts_[i] = n;
    diff.count_ += n;
    lowest = std::min(lowest, i);
    highest = i;
  }
  if (diff.count_ == 0) return diff;
  diff.sum_ = sum_ >= earlier.sum_ ? sum_ - earlier.sum_ : 0;
  // A new extreme must have been recorded in between; otherwise the bucket
  // bounds are the best we know, never wider than this histogram's range.
  const bool new_min = earlier.count_ == 0 || min_ < earlier.min_;
  diff.min_ = new_min ? min_ : std::max(lowest_in(lowest), min_);
  const bool new_max = earlier.count_ == 0 || max_ > earlier.max_;
  const bool top = highest == kBuckets - 1;
  diff.max_ = new_max || top ? max_ : std::min(highest_in(highest), max_);
  return diff;
}

void Histogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = kNoMin;
  max_ = 0;
  sum_ = 0;
}

}  // namespace swarm::stats
