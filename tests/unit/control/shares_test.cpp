// Shares: every agent's part of a fleet's total, floor(N(i+1)/K) -
// floor(Ni/K). The parts sum to N exactly for every N and K, differ by at
// most one, and are the formula's values.
#include "control/shares.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace swarm::control {
namespace {

TEST(Shares, AreTheSegmentRulesParts) {
  EXPECT_EQ(split(300, 3), (std::vector<std::uint64_t>{100, 100, 100}));
  EXPECT_EQ(split(150, 3), (std::vector<std::uint64_t>{50, 50, 50}));
  EXPECT_EQ(split(10, 3), (std::vector<std::uint64_t>{3, 3, 4}));
  EXPECT_EQ(split(1, 3), (std::vector<std::uint64_t>{0, 0, 1}));
  EXPECT_EQ(split(150, 2), (std::vector<std::uint64_t>{75, 75}));
  EXPECT_EQ(split(7, 1), (std::vector<std::uint64_t>{7}));
  EXPECT_TRUE(split(7, 0).empty());
  EXPECT_EQ(share_of(7, 0, 0), 0u);
}

TEST(Shares, SumToTheTotalAndDifferByAtMostOne) {
  for (std::uint64_t total : {0ull, 1ull, 2ull, 99ull, 100ull, 1000003ull, 100000000000ull}) {
    for (std::size_t count = 1; count <= 67; ++count) {
      const auto parts = split(total, count);
      ASSERT_EQ(std::accumulate(parts.begin(), parts.end(), std::uint64_t{0}), total)
          << total << " over " << count;
      const auto [low, high] = std::minmax_element(parts.begin(), parts.end());
      ASSERT_LE(*high - *low, 1u) << total << " over " << count;
      for (std::size_t i = 0; i < count; ++i) {
        const auto expected = static_cast<std::uint64_t>(
            std::floor(static_cast<long double>(total) * (i + 1) / count) -
            std::floor(static_cast<long double>(total) * i / count));
        ASSERT_EQ(parts[i], expected) << total << " agent " << i << " of " << count;
      }
    }
  }
}

TEST(Shares, NeverOverflowAtTheLargestTotals) {
  const std::uint64_t huge = std::numeric_limits<std::uint64_t>::max() - 5;
  const auto parts = split(huge, 1000);
  std::uint64_t sum = 0;
  for (const auto part : parts) sum += part;
  EXPECT_EQ(sum, huge);
}

TEST(Shares, SplitARateWithoutSwitchingAnAgentOff) {
  EXPECT_EQ(split_rate(1000, 3), (std::vector<double>{333, 333, 334}));
  EXPECT_EQ(split_rate(3, 3), (std::vector<double>{1, 1, 1}));
  // Fewer calls than agents: an even split, never a 0 (rate mode off).
  const auto small = split_rate(1, 4);
  for (const double part : small) EXPECT_DOUBLE_EQ(part, 0.25);
  const auto fraction = split_rate(10.5, 2);
  EXPECT_DOUBLE_EQ(fraction[0] + fraction[1], 10.5);
  EXPECT_EQ(split_rate(0, 3), (std::vector<double>{0, 0, 0}));
}

}  // namespace
}  // namespace swarm::control
