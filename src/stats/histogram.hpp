// Histogram: a log-linear (HDR-style) histogram of unsigned 64-bit values,
// microseconds in practice. Values below 256 have a bucket each; above, every
// power of two is split into 128 equal buckets, so a bucket is never wider
// than 1/128 of its lowest value and percentiles (bucket midpoints) are within
// 0.4 % of the true value (kRelativeError). Memory is fixed (kBuckets
// counters, ~35 KiB), one histogram per owner, merged by addition.
//
// The layout is HdrHistogram's with 256 sub-buckets (two significant
// digits) and a unit of 1: its buckets can be written out, read back and
// merged elsewhere with nothing lost.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace swarm::stats {

class Histogram {
 public:
  /// log2 of the number of buckets per power of two.
  static constexpr unsigned kSubBucketBits = 7;
  /// Buckets per power of two: the relative bucket width is 1/kSubBuckets.
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;
  /// Values up to 2^kMaxBits - 1 (~25 days in µs) have their own bucket.
  static constexpr unsigned kMaxBits = 41;
  /// The largest value with its own bucket; larger values are counted in the
  /// top bucket, and max() still reports them exactly.
  static constexpr std::uint64_t kMaxTracked = (std::uint64_t{1} << kMaxBits) - 1;
  /// Number of buckets: 2*kSubBuckets exact ones, then kSubBuckets per power
  /// of two up to kMaxBits.
  static constexpr std::size_t kBuckets = (kMaxBits - kSubBucketBits + 1) * kSubBuckets;
  /// The bound on a percentile's error relative to the true value: half a
  /// bucket's width over its lowest value (plus half a unit, as values are
  /// whole numbers). Pinned by a unit test.
  static constexpr double kRelativeError = 1.0 / (2 * kSubBuckets);

  /// The bucket of `value` (clamped to kMaxTracked). No branch: values below
  /// 2*kSubBuckets get shift 0 and thus a bucket of their own.
  static constexpr std::size_t index_of(std::uint64_t value) noexcept {
    const std::uint64_t clamped = std::min(value, kMaxTracked);
    const unsigned shift = static_cast<unsigned>(std::bit_width(clamped | (2 * kSubBuckets - 1))) -
                           (kSubBucketBits + 1);
    return static_cast<std::size_t>(shift * kSubBuckets + (clamped >> shift));
  }
  /// The smallest value counted in bucket `index`.
  static std::uint64_t lowest_in(std::size_t index) noexcept;
  /// The largest value counted in bucket `index` (excluding the top bucket's
  /// clamped values).
  static std::uint64_t highest_in(std::size_t index) noexcept;

  /// An empty histogram; allocates its counters once, here.
  Histogram();

  /// Counts one occurrence of `value`. Allocation-free, no data-dependent
  /// branch.
  void record(std::uint64_t value) noexcept {
    counts_[index_of(value)] += 1;
    count_ += 1;
    sum_ += value;
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  /// Counts `count` occurrences of `value`.
  void record_n(std::uint64_t value, std::uint64_t count) noexcept;

  /// Number of values recorded.
  std::uint64_t count() const noexcept { return count_; }
  /// True when nothing was recorded.
  bool empty() const noexcept { return count_ == 0; }
  /// The smallest value recorded, 0 when empty.
  std::uint64_t min() const noexcept { return count_ == 0 ? 0 : min_; }
  /// The largest value recorded (exact, even past kMaxTracked), 0 when empty.
  std::uint64_t max() const noexcept { return max_; }
  /// The sum of the recorded values (exact; wraps only past 2^64).
  std::uint64_t sum() const noexcept { return sum_; }
  /// The arithmetic mean of the recorded values (exact sum), 0 when empty.
  double mean() const noexcept;
  /// Values counted in bucket `index` (< kBuckets).
  std::uint64_t count_in(std::size_t index) const noexcept { return counts_[index]; }
  /// Calls `visit(index, count)` for every non-empty bucket, lowest first.
  template <class Visit>
  void for_each_bucket(Visit visit) const {
    for (std::size_t i = 0; i < kBuckets; ++i) {
      if (counts_[i] != 0) visit(i, counts_[i]);
    }
  }
  /// Rebuilds a histogram from its parts, as written out by a report:
  /// `(index, count)` pairs, the exact sum, min and max. Throws
  /// std::invalid_argument when they do not fit together (an index out of
  /// range, a min or max outside the buckets' range).
  static Histogram from_parts(const std::vector<std::pair<std::size_t, std::uint64_t>>& buckets,
                              std::uint64_t sum, std::uint64_t min, std::uint64_t max);
  /// Same buckets, count, sum, min and max.
  bool operator==(const Histogram& other) const noexcept;
  /// The value below or at which `p` percent of the values lie (p in [0, 100],
  /// clamped), within the relative error of the true one; 0 when empty.
  /// p = 0 gives min(), p = 100 gives max().
  std::uint64_t percentile(double p) const noexcept;

  /// Adds every value of `other` to this one.
  void merge(const Histogram& other) noexcept;
  /// The values recorded after `earlier` was copied from this same histogram
  /// (counts subtracted bucket by bucket). min/max are exact when they were
  /// recorded in between, otherwise bounded by their bucket.
  Histogram since(const Histogram& earlier) const;
  /// Forgets every value; keeps the memory.
  void reset() noexcept;

 private:
  /// The value reported for a percentile falling in bucket `index`.
  std::uint64_t representative(std::size_t index) const noexcept;

  std::vector<std::uint64_t> counts_;                              // values per bucket
  std::uint64_t count_ = 0;                                        // values recorded
  std::uint64_t min_ = std::numeric_limits<std::uint64_t>::max();  // smallest value
  std::uint64_t max_ = 0;                                          // largest value
  std::uint64_t sum_ = 0;                                          // sum of values, for mean()
};

static_assert(Histogram::index_of(Histogram::kMaxTracked) == Histogram::kBuckets - 1);
static_assert(Histogram::index_of(2 * Histogram::kSubBuckets) == 2 * Histogram::kSubBuckets);

}  // namespace swarm::stats
