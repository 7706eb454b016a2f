#include "stats/hgrm.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

namespace swarm::stats {
namespace {

constexpr double kValueScale = 1000.0;    // µs recorded, ms written
constexpr int kTicksPerHalfDistance = 5;  // HdrHistogram's default

/// A bucket's value as HdrHistogram reports it: the highest in the bucket
/// (the top bucket, which holds clamped values too, reports the max).
double reported_value(const Histogram& h, std::size_t index) {
  if (index == Histogram::kBuckets - 1) return static_cast<double>(h.max());
  return static_cast<double>(Histogram::highest_in(index));
}

/// The percentile after `percentile`: ticks get finer as it nears 100.
double next_percentile(double percentile) {
  const auto halvings =
      static_cast<std::int64_t>(std::log(100.0 / (100.0 - percentile)) / std::log(2.0)) + 1;
  const double reporting_ticks =
      kTicksPerHalfDistance * std::pow(2.0, static_cast<double>(halvings));
  return percentile + 100.0 / reporting_ticks;
}

void append_line(std::string& out, double value_us, double percentile, std::uint64_t count) {
  const double fraction = percentile / 100.0;
  fmt::format_to(std::back_inserter(out), "{:12.3f} {:12.6f} {:12} {:12.2f}\n",
                 value_us / kValueScale, fraction, count, 1.0 / (1.0 - fraction));
}

/// The standard deviation, from bucket midpoints (as HdrHistogram does).
double deviation(const Histogram& h) {
  if (h.empty()) return 0;
  const double mean = h.mean();
  double squares = 0;
  h.for_each_bucket([&](std::size_t index, std::uint64_t count) {
    const double low = static_cast<double>(Histogram::lowest_in(index));
    const double middle = (low + static_cast<double>(Histogram::highest_in(index))) / 2;
    squares += (middle - mean) * (middle - mean) * static_cast<double>(count);
  });
  return std::sqrt(squares / static_cast<double>(h.count()));
}

}  // namespace

std::string format_hgrm(const Histogram& h) {
  std::string out = fmt::format("{:>12} {:>12} {:>12} {:>12}\n\n", "Value", "Percentile",
                                "TotalCount", "1/(1-Percentile)");
  const std::uint64_t total = h.count();
  double wanted = 0;            // the next percentile to report
  std::uint64_t seen = 0;       // values in the buckets walked so far
  std::size_t last_bucket = 0;  // the highest non-empty bucket walked
  for (std::size_t i = 0; i < Histogram::kBuckets && seen < total; ++i) {
    const std::uint64_t count = h.count_in(i);
    if (count == 0) continue;
    seen += count;
    last_bucket = i;
    const double reached = 100.0 * static_cast<double>(seen) / static_cast<double>(total);
    // Like HdrHistogram: every percentile this bucket reaches, but once the
    // last value is in, only one more line before the closing 100 %.
    while (wanted <= reached) {
      append_line(out, reported_value(h, i), wanted, seen);
      wanted = next_percentile(wanted);
      if (seen == total) break;
    }
  }
  if (total > 0) append_line(out, reported_value(h, last_bucket), 100.0, total);
  fmt::format_to(std::back_inserter(out),
                 "#[Mean    = {:12.3f}, StdDeviation   = {:12.3f}]\n"
                 "#[Max     = {:12.3f}, Total count    = {:12}]\n"
                 "#[Buckets = {:12}, SubBuckets     = {:12}]\n",
                 h.mean() / kValueScale, deviation(h) / kValueScale,
                 static_cast<double>(h.max()) / kValueScale, total,
                 Histogram::kMaxBits - Histogram::kSubBucketBits, 2 * Histogram::kSubBuckets);
  return out;
}

}  // namespace swarm::stats
