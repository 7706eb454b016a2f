#include "engine/connect_pacer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace swarm::engine {
namespace {

TEST(ConnectPacer, SpacesSlotsAtTheRate) {
  ConnectPacer pacer(100.0, 10);  // one slot every 10 ms
  Clock::time_point now{};
  auto first = pacer.reserve(now);
  auto second = pacer.reserve(now);
  auto third = pacer.reserve(now);
  EXPECT_EQ(first, now);
  EXPECT_EQ(second - first, std::chrono::milliseconds(10));
  EXPECT_EQ(third - second, std::chrono::milliseconds(10));
}

TEST(ConnectPacer, UnusedSlotsDoNotPileUp) {
  ConnectPacer pacer(10.0, 10);
  Clock::time_point now{};
  pacer.reserve(now);
  auto later = now + std::chrono::seconds(60);
  EXPECT_EQ(pacer.reserve(later), later);
  EXPECT_EQ(pacer.reserve(later), later + std::chrono::milliseconds(100));
}

TEST(ConnectPacer, CancelledSlotsAreGivenBack) {
  // incr 1000 then decr 1000 at 100/s: without give_back the next connect
  // would wait 10 s behind slots nobody uses.
  ConnectPacer pacer(100.0, 10);
  Clock::time_point now{};
  std::vector<Clock::time_point> slots;
  for (int i = 0; i < 1000; ++i) slots.push_back(pacer.reserve(now));
  for (auto slot : slots) pacer.give_back(slot, now);
  // All but the first (due now, so taken): the next ones follow it at once.
  EXPECT_EQ(pacer.reserve(now), now + std::chrono::milliseconds(10));
  EXPECT_EQ(pacer.reserve(now), now + std::chrono::milliseconds(20));
}

TEST(ConnectPacer, OnlyUnusedSlotsAreGivenBack) {
  ConnectPacer pacer(100.0, 10);
  Clock::time_point now{};
  const auto first = pacer.reserve(now);
  const auto second = pacer.reserve(now);
  pacer.give_back(first, now);  // its time has come: it was used
  EXPECT_EQ(pacer.reserve(now), second + std::chrono::milliseconds(10));
  pacer.give_back(second, now);  // not yet reached: the next asker takes a slot back
  EXPECT_EQ(pacer.reserve(now), second + std::chrono::milliseconds(10));
}

TEST(ConnectPacer, ZeroRateIsUnpaced) {
  ConnectPacer pacer(0.0, 10);
  Clock::time_point now{};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pacer.reserve(now), now);
}

TEST(ConnectPacer, CapsConnectsInFlight) {
  ConnectPacer pacer(0.0, 2);
  EXPECT_TRUE(pacer.try_begin());
  EXPECT_TRUE(pacer.try_begin());
  EXPECT_FALSE(pacer.try_begin());
  pacer.end();
  EXPECT_TRUE(pacer.try_begin());
}

}  // namespace
}  // namespace swarm::engine
