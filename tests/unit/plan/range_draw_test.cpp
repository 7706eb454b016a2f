#include "plan/range_draw.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <set>

namespace swarm::plan {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

TEST(DrawCount, EveryValueOfTheRangeAndNothingElse) {
  Rng rng(11);
  std::map<std::int64_t, int> seen;
  for (int i = 0; i < 9000; ++i) ++seen[draw(CountRange{2, 10}, rng)];
  ASSERT_EQ(seen.size(), 9u);  // 2, 3, ..., 10: both ends included
  EXPECT_EQ(seen.begin()->first, 2);
  EXPECT_EQ(seen.rbegin()->first, 10);
  // Each value ~1000 times; 5 standard deviations is ~150.
  for (const auto& [value, count] : seen) EXPECT_NEAR(count, 1000, 160) << value;
}

TEST(DrawCount, SingleValueAndZero) {
  Rng rng(12);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(draw(CountRange{0, 0}, rng), 0);
    EXPECT_EQ(draw(CountRange{5, 5}, rng), 5);
  }
}

TEST(DrawCount, WidestRangeDoesNotOverflow) {
  Rng rng(13);
  const CountRange widest{0, std::numeric_limits<std::int64_t>::max()};
  for (int i = 0; i < 1000; ++i) EXPECT_GE(draw(widest, rng), 0);
}

TEST(DrawDuration, WholeSecondsDrawWholeSecondsBothEndsIncluded) {
  Rng rng(14);
  const DurationRange range{1s, 5s, true};
  std::set<nanoseconds> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(draw(range, rng));
  EXPECT_EQ(seen, (std::set<nanoseconds>{1s, 2s, 3s, 4s, 5s}));
}

TEST(DrawDuration, FractionalRangeIsContinuousAndBounded) {
  Rng rng(15);
  const DurationRange range{250ms, 1500ms, false};
  std::set<nanoseconds> seen;
  nanoseconds low = 1h;
  nanoseconds high = 0ns;
  for (int i = 0; i < 10000; ++i) {
    const nanoseconds value = draw(range, rng);
    ASSERT_GE(value, 250ms);
    ASSERT_LE(value, 1500ms);
    low = std::min(low, value);
    high = std::max(high, value);
    seen.insert(value);
  }
  EXPECT_GT(seen.size(), 9900u);  // ns resolution: almost never the same twice
  EXPECT_LT(low, 260ms);
  EXPECT_GT(high, 1490ms);
}

TEST(DrawDuration, TinyRangeReachesBothEnds) {
  Rng rng(16);
  std::set<nanoseconds> seen;
  for (int i = 0; i < 200; ++i) seen.insert(draw(DurationRange{10ns, 12ns, false}, rng));
  EXPECT_EQ(seen, (std::set<nanoseconds>{10ns, 11ns, 12ns}));
}

TEST(DrawDuration, FixedValue) {
  Rng rng(17);
  EXPECT_EQ(draw(DurationRange{}, rng), 1s);  // the default: one second
  EXPECT_EQ(draw(DurationRange{0ns, 0ns, true}, rng), 0ns);
  EXPECT_EQ(draw(DurationRange{250ms, 250ms, false}, rng), 250ms);
}

TEST(DrawDuration, WholeSecondsFlagOnFractionalEndsStaysInside) {
  Rng rng(18);
  for (int i = 0; i < 200; ++i) {
    const nanoseconds value = draw(DurationRange{500ms, 2500ms, true}, rng);
    EXPECT_TRUE(value == 1s || value == 2s) << value.count();
  }
  // No whole second inside: falls back to the continuous draw.
  const nanoseconds value = draw(DurationRange{200ms, 300ms, true}, rng);
  EXPECT_GE(value, 200ms);
  EXPECT_LE(value, 300ms);
}

}  // namespace
}  // namespace swarm::plan
