#include "plan/range_draw.hpp"

#include <limits>

namespace swarm::plan {
namespace {

// A uniform integer in [lo, hi]; the span is computed unsigned so that it
// cannot overflow, and the full 64-bit span (no bound to draw below) is
// handled too.
std::int64_t draw_between(std::int64_t lo, std::int64_t hi, Rng& rng) {
  if (hi <= lo) return lo;
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  const std::uint64_t offset =
      span == std::numeric_limits<std::uint64_t>::max() ? rng.next() : rng.below(span + 1);
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + offset);
}

}  // namespace

std::int64_t draw(const CountRange& range, Rng& rng) {
  return draw_between(range.lo, range.hi, rng);
}

std::chrono::nanoseconds draw(const DurationRange& range, Rng& rng) {
  using std::chrono::ceil;
  using std::chrono::floor;
  using std::chrono::seconds;
  if (range.whole_seconds) {
    // Rounded inwards, so a draw never leaves [lo, hi] even if a caller set
    // whole_seconds on ends that are not whole.
    const std::int64_t lo = ceil<seconds>(range.lo).count();
    const std::int64_t hi = floor<seconds>(range.hi).count();
    if (lo <= hi) return seconds(draw_between(lo, hi, rng));
  }
  return std::chrono::nanoseconds(draw_between(range.lo.count(), range.hi.count(), rng));
}

}  // namespace swarm::plan
