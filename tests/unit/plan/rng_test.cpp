#include "plan/rng.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <bit>
#include <random>
#include <vector>

namespace swarm::plan {
namespace {

TEST(Rng, SameSeedSameSequenceOtherSeedOtherSequence) {
  Rng a(42);
  Rng b(42);
  Rng c(43);
  int same_as_c = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto value = a.next();
    EXPECT_EQ(value, b.next());
    same_as_c += value == c.next() ? 1 : 0;
  }
  EXPECT_EQ(same_as_c, 0);
}

TEST(Rng, ZeroSeedIsFine) {
  Rng rng(0);
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 100; ++i) values.push_back(rng.next());
  std::sort(values.begin(), values.end());
  EXPECT_EQ(std::adjacent_find(values.begin(), values.end()), values.end());
  EXPECT_NE(values.front(), 0u);
}

TEST(Rng, BitsAreBalanced) {
  Rng rng(7);
  constexpr int draws = 20000;
  std::array<int, 64> ones{};
  for (int i = 0; i < draws; ++i) {
    const auto value = rng.next();
    for (int bit = 0; bit < 64; ++bit) ones[bit] += static_cast<int>((value >> bit) & 1);
  }
  // Each bit is set half the time; 5 standard deviations is ~354.
  for (int bit = 0; bit < 64; ++bit) EXPECT_NEAR(ones[bit], draws / 2, 360) << "bit " << bit;
}

TEST(Rng, BelowStaysInRangeAndIsUniform) {
  Rng rng(1);
  constexpr int buckets = 7;
  constexpr int draws = 70000;
  std::array<int, buckets> seen{};
  for (int i = 0; i < draws; ++i) {
    const auto value = rng.below(buckets);
    ASSERT_LT(value, static_cast<std::uint64_t>(buckets));
    ++seen[value];
  }
  // Chi-squared with 6 degrees of freedom: above 22.46 with probability 0.001.
  double chi2 = 0;
  for (const int count : seen) {
    const double expected = static_cast<double>(draws) / buckets;
    chi2 += (count - expected) * (count - expected) / expected;
  }
  EXPECT_LT(chi2, 22.46);
}

TEST(Rng, BelowOneAndHugeBounds) {
  Rng rng(3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(rng.below(1), 0u);
  const std::uint64_t huge = (std::uint64_t{1} << 63) + 12345;
  for (int i = 0; i < 1000; ++i) EXPECT_LT(rng.below(huge), huge);
}

TEST(Rng, UnitIsInHalfOpenIntervalWithMeanOneHalf) {
  Rng rng(5);
  constexpr int draws = 100000;
  double sum = 0;
  for (int i = 0; i < draws; ++i) {
    const double value = rng.unit();
    ASSERT_GE(value, 0.0);
    ASSERT_LT(value, 1.0);
    sum += value;
  }
  // The mean's standard deviation is sqrt(1/12 / draws) ~ 0.0009.
  EXPECT_NEAR(sum / draws, 0.5, 0.005);
}

TEST(Rng, WorksWithStandardDistributions) {
  Rng rng(9);
  std::uniform_int_distribution<int> dice(1, 6);
  for (int i = 0; i < 100; ++i) {
    const int value = dice(rng);
    EXPECT_GE(value, 1);
    EXPECT_LE(value, 6);
  }
}

}  // namespace
}  // namespace swarm::plan
