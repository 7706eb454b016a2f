#include "stats/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace swarm::stats {
namespace {

constexpr double kPercentiles[] = {0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};

/// The nearest-rank percentile of sorted `values`, as Histogram defines it.
std::uint64_t exact_percentile(const std::vector<std::uint64_t>& sorted, double p) {
  if (p <= 0) return sorted.front();
  if (p >= 100) return sorted.back();
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size()))));
  return sorted[rank - 1];
}

/// Records `values` and checks every percentile against the exact one.
void expect_accurate(std::vector<std::uint64_t> values) {
  Histogram h;
  for (auto v : values) h.record(v);
  std::sort(values.begin(), values.end());
  EXPECT_EQ(h.count(), values.size());
  EXPECT_EQ(h.min(), values.front());
  EXPECT_EQ(h.max(), values.back());
  for (double p : kPercentiles) {
    const auto exact = static_cast<double>(exact_percentile(values, p));
    const auto got = static_cast<double>(h.percentile(p));
    // The documented bound is 1 %; the design gives half a bucket, 1/256.
    EXPECT_LE(std::abs(got - exact), exact / 256.0 + 0.5) << "p" << p << " exact " << exact;
  }
}

TEST(Histogram, UniformIsAccurate) {
  std::mt19937_64 random(1);
  std::uniform_int_distribution<std::uint64_t> uniform(0, 2'000'000);
  std::vector<std::uint64_t> values(200'000);
  for (auto& v : values) v = uniform(random);
  expect_accurate(std::move(values));
}

TEST(Histogram, SkewedIsAccurate) {
  std::mt19937_64 random(2);
  std::lognormal_distribution<double> skewed(7.0, 2.0);  // median ~1 ms, long tail
  std::vector<std::uint64_t> values(200'000);
  for (auto& v : values) v = static_cast<std::uint64_t>(skewed(random));
  expect_accurate(std::move(values));
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 0; v < 256; ++v) h.record(v);
  for (std::uint64_t v = 0; v < 256; ++v) {
    EXPECT_EQ(Histogram::lowest_in(Histogram::index_of(v)), v);
    EXPECT_EQ(Histogram::highest_in(Histogram::index_of(v)), v);
  }
  EXPECT_EQ(h.percentile(50), 127u);
  EXPECT_DOUBLE_EQ(h.mean(), 127.5);
}

TEST(Histogram, BucketsTileTheRange) {
  // Every bucket starts right after the previous one ends, and no bucket is
  // wider than 1/128 of its lowest value.
  for (std::size_t i = 1; i < Histogram::kBuckets; ++i) {
    EXPECT_EQ(Histogram::lowest_in(i), Histogram::highest_in(i - 1) + 1) << i;
    const auto width = Histogram::highest_in(i) - Histogram::lowest_in(i) + 1;
    EXPECT_LE(width * Histogram::kSubBuckets,
              std::max<std::uint64_t>(Histogram::lowest_in(i), 128));
    EXPECT_EQ(Histogram::index_of(Histogram::lowest_in(i)), i);
    EXPECT_EQ(Histogram::index_of(Histogram::highest_in(i)), i);
  }
  EXPECT_EQ(Histogram::highest_in(Histogram::kBuckets - 1), Histogram::kMaxTracked);
  EXPECT_GE(Histogram::kMaxTracked, std::uint64_t{1} << 40);
}

TEST(Histogram, EmptyAnswersZero) {
  const Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
  EXPECT_EQ(h.percentile(0), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.percentile(100), 0u);
}

TEST(Histogram, ZeroIsAValue) {
  Histogram h;
  h.record(0);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
}

TEST(Histogram, HugeValuesClampButMaxStaysExact) {
  Histogram h;
  const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max();
  h.record(1000);
  h.record(std::uint64_t{1} << 40);
  h.record(huge);
  EXPECT_EQ(h.max(), huge);
  EXPECT_EQ(h.percentile(100), huge);
  EXPECT_EQ(h.percentile(99), huge);  // the top bucket answers with max()
  const auto mid = static_cast<double>(h.percentile(50));
  EXPECT_NEAR(mid, std::ldexp(1.0, 40), std::ldexp(1.0, 40) / 256);
  EXPECT_EQ(h.min(), 1000u);
}

TEST(Histogram, PercentileClampsItsArgument) {
  Histogram h;
  h.record(10);
  h.record(20);
  EXPECT_EQ(h.percentile(-5), 10u);
  EXPECT_EQ(h.percentile(250), 20u);
}

TEST(Histogram, RecordNEqualsRepeatedRecord) {
  Histogram once;
  Histogram repeated;
  once.record_n(12345, 1000);
  once.record_n(7, 0);  // nothing: min stays
  for (int i = 0; i < 1000; ++i) repeated.record(12345);
  EXPECT_EQ(once.count(), repeated.count());
  EXPECT_EQ(once.min(), 12345u);
  EXPECT_EQ(once.percentile(50), repeated.percentile(50));
  EXPECT_DOUBLE_EQ(once.mean(), 12345.0);
}

TEST(Histogram, MergeEqualsRecordingAllInOne) {
  std::mt19937_64 random(3);
  std::exponential_distribution<double> exponential(1.0 / 5000);
  Histogram a, b, all;
  for (int i = 0; i < 50'000; ++i) {
    const auto v = static_cast<std::uint64_t>(exponential(random));
    (i % 3 == 0 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_NEAR(a.mean(), all.mean(), 1e-6 * all.mean());
  for (double p : kPercentiles) EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
}

TEST(Histogram, SinceGivesTheValuesInBetween) {
  Histogram cumulative;
  for (std::uint64_t v = 100; v < 10'000; v += 7) cumulative.record(v);
  const Histogram earlier = cumulative;  // a snapshot is a copy
  Histogram between;
  for (std::uint64_t v = 20'000; v < 50'000; v += 3) {
    cumulative.record(v);
    between.record(v);
  }
  const Histogram diff = cumulative.since(earlier);
  EXPECT_EQ(diff.count(), between.count());
  EXPECT_NEAR(diff.mean(), between.mean(), 1e-9 * between.mean());
  EXPECT_EQ(diff.max(), between.max());  // a new maximum: exact
  EXPECT_LE(diff.min(), between.min());  // bounded by its bucket
  EXPECT_GE(diff.min() * 129, between.min() * 128);
  for (double p : {1.0, 50.0, 90.0, 99.0}) EXPECT_EQ(diff.percentile(p), between.percentile(p));
}

TEST(Histogram, SinceWithNothingNewIsEmpty) {
  Histogram h;
  h.record(5);
  const Histogram diff = h.since(h);
  EXPECT_TRUE(diff.empty());
  EXPECT_EQ(diff.percentile(99), 0u);
  EXPECT_EQ(diff.max(), 0u);
}

TEST(Histogram, SinceBoundsOldExtremesByTheirBucket) {
  Histogram h;
  h.record(1000);
  h.record(100'000);
  const Histogram earlier = h;
  h.record(50'000);
  const Histogram diff = h.since(earlier);
  EXPECT_EQ(diff.count(), 1u);
  EXPECT_LE(diff.min(), 50'000u);
  EXPECT_GE(diff.max(), 50'000u);
  EXPECT_LE(diff.max() - diff.min(), 50'000u / 128);
}

TEST(Histogram, SinceOfAnEmptyEarlierIsACopy) {
  Histogram h;
  h.record(3);
  h.record(900);
  const Histogram diff = h.since(Histogram{});
  EXPECT_EQ(diff.min(), 3u);
  EXPECT_EQ(diff.max(), 900u);
  EXPECT_EQ(diff.count(), 2u);
}

TEST(Histogram, ResetForgetsEverything) {
  Histogram h;
  h.record(77);
  h.reset();
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.max(), 0u);
  h.record(5);
  EXPECT_EQ(h.min(), 5u);
  EXPECT_EQ(h.percentile(50), 5u);
}

TEST(Histogram, CopiesAreIndependent) {
  Histogram h;
  h.record(10);
  Histogram copy = h;
  copy.record(20);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(copy.count(), 2u);
  h = copy;
  EXPECT_EQ(h.max(), 20u);
}

TEST(Histogram, RelativeErrorBoundIsPinned) {
  // A value alone in a histogram comes back as its bucket's midpoint: never
  // further from it than kRelativeError (1/256) of it, plus half a unit. The
  // bound is tight: somewhere it is nearly reached. Every value below 2^20,
  // then a sweep of larger ones up to kMaxTracked.
  EXPECT_EQ(Histogram::kRelativeError, 1.0 / 256);
  double worst = 0;
  auto check = [&](std::uint64_t value) {
    Histogram h;
    h.record(value);
    h.record(Histogram::lowest_in(Histogram::index_of(value)));  // min is not the value
    h.record(Histogram::highest_in(Histogram::index_of(value)));
    const auto got = static_cast<double>(h.percentile(50));
    const auto exact = static_cast<double>(value);
    const double error = std::abs(got - exact);
    ASSERT_LE(error, exact * Histogram::kRelativeError + 0.5) << value;
    if (value >= 256) worst = std::max(worst, error / exact);
  };
  for (std::uint64_t v = 0; v < (1u << 20); ++v) check(v);
  for (std::uint64_t v = 1u << 20; v < Histogram::kMaxTracked; v += v / 1000 + 7) check(v);
  EXPECT_GT(worst, Histogram::kRelativeError * 0.95) << "the bound is not tight any more";
}

TEST(Histogram, FromPartsRebuildsExactly) {
  Histogram h;
  for (std::uint64_t v : {0, 7, 300, 301, 5000, 123456}) h.record(v);
  std::vector<std::pair<std::size_t, std::uint64_t>> buckets;
  h.for_each_bucket([&](std::size_t i, std::uint64_t n) { buckets.emplace_back(i, n); });
  const Histogram copy = Histogram::from_parts(buckets, h.sum(), h.min(), h.max());
  EXPECT_TRUE(copy == h);
  EXPECT_EQ(copy.percentile(50), h.percentile(50));
  EXPECT_EQ(h.sum(), 0u + 7 + 300 + 301 + 5000 + 123456);
  EXPECT_THROW(Histogram::from_parts({{Histogram::kBuckets, 1}}, 1, 1, 1), std::invalid_argument);
  EXPECT_THROW(Histogram::from_parts(buckets, h.sum(), 1, h.max()), std::invalid_argument);
  EXPECT_TRUE(Histogram::from_parts({}, 0, 0, 0).empty());
}

}  // namespace
}  // namespace swarm::stats
