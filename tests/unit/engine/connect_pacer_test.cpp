#include "engine/connect_pacer.hpp"

#include <gtest/gtest.h>

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
