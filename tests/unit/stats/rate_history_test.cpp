// The rate mode's target over a run: what was in force when, and for how
// long, so that reports divide calls by the right seconds.
#include "stats/rate_history.hpp"

#include <gtest/gtest.h>

namespace swarm::stats {
namespace {

using std::chrono::seconds;
const auto kStart = std::chrono::steady_clock::time_point{} + seconds(100);

TEST(RateHistory, NeverSetIsUnused) {
  RateHistory history;
  history.set(kStart, 0);  // off from the start: nothing to say
  EXPECT_FALSE(history.used());
  EXPECT_TRUE(history.changes().empty());
  EXPECT_EQ(history.target(), 0);
  EXPECT_EQ(history.seconds_on(kStart, kStart + seconds(10)), 0);
}

TEST(RateHistory, TargetsInForceAndSecondsWithATarget) {
  RateHistory history;
  history.set(kStart + seconds(2), 1000);
  history.set(kStart + seconds(2), 1000);  // the same again: not a change
  history.set(kStart + seconds(5), 0);
  history.set(kStart + seconds(7), 500);
  ASSERT_EQ(history.changes().size(), 3u);
  EXPECT_TRUE(history.used());
  EXPECT_EQ(history.target(), 500);
  EXPECT_EQ(history.target_at(kStart + seconds(1)), 0);
  EXPECT_EQ(history.target_at(kStart + seconds(3)), 1000);
  EXPECT_EQ(history.target_at(kStart + seconds(6)), 0);
  EXPECT_EQ(history.target_at(kStart + seconds(9)), 500);
  // On 2..5 and 7..end.
  EXPECT_DOUBLE_EQ(history.seconds_on(kStart, kStart + seconds(10)), 6.0);
  EXPECT_DOUBLE_EQ(history.seconds_on(kStart + seconds(4), kStart + seconds(8)), 2.0);
  EXPECT_DOUBLE_EQ(history.seconds_on(kStart + seconds(5), kStart + seconds(7)), 0.0);
}

TEST(RateHistory, AChangeNeverGoesBackInTime) {
  RateHistory history;
  history.set(kStart + seconds(5), 100);
  history.set(kStart + seconds(1), 200);  // taken as at 5 s
  EXPECT_EQ(history.changes().back().at, kStart + seconds(5));
  EXPECT_EQ(history.target_at(kStart + seconds(5)), 200);
}

}  // namespace
}  // namespace swarm::stats
