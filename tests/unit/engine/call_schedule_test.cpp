// The rate mode's schedule: a random phase within the first period, one
// call per period after that, and a backlog that is caught up call by call,
// never skipped.
#include "engine/call_schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>

#include "plan/rng.hpp"

namespace swarm::engine {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kStart = Clock::time_point{} + 1000s;

TEST(CallSchedule, StartsAtARandomPhaseWithinOnePeriod) {
  CallSchedule schedule;
  EXPECT_FALSE(schedule.started());
  EXPECT_EQ(schedule.due(kStart, 10ms, 0.25), kStart + 2500us);
  EXPECT_TRUE(schedule.started());
  // Once drawn, the phase stays: asking again draws nothing.
  EXPECT_EQ(schedule.due(kStart + 1ms, 10ms, 0.75), kStart + 2500us);
  CallSchedule at_zero;
  EXPECT_EQ(at_zero.due(kStart, 10ms, 0.0), kStart);
}

TEST(CallSchedule, PhasesOfManyConnectionsSpreadOverThePeriod) {
  // Connections opened at the same moment must not fire together: their
  // phases fill every tenth of the period about evenly.
  plan::Rng rng(7);
  std::array<int, 10> tenths{};
  for (int i = 0; i < 10'000; ++i) {
    CallSchedule schedule;
    const auto phase = schedule.due(kStart, 100ms, rng.unit()) - kStart;
    ASSERT_GE(phase, 0ms);
    ASSERT_LT(phase, 100ms);
    ++tenths[static_cast<std::size_t>(phase / 10ms)];
  }
  for (const int count : tenths) {
    EXPECT_GT(count, 850);
    EXPECT_LT(count, 1150);
  }
}

TEST(CallSchedule, OneCallPerPeriodFromTheFirstDueTime) {
  CallSchedule schedule;
  const auto first = schedule.due(kStart, 20ms, 0.5);
  for (int call = 0; call < 100; ++call) {
    EXPECT_EQ(schedule.due(kStart, 20ms, 0.9), first + call * 20ms);
    schedule.advance(20ms);
  }
}

TEST(CallSchedule, ABacklogIsCaughtUpCallByCallNeverSkipped) {
  // One call due every 10 ms; the server stalls 1 s after the first call.
  // When the connection is free again, the calls due meanwhile are all due
  // at once, each with its own due time (from which its latency runs), and
  // the schedule is back on its grid once they are made.
  CallSchedule schedule;
  const auto first = schedule.due(kStart, 10ms, 0.0);
  schedule.advance(10ms);  // the call that stalls
  const auto free_again = first + 1s;
  EXPECT_EQ(schedule.owed(first + 5ms, 10ms), 0u);  // on time
  EXPECT_EQ(schedule.owed(free_again, 10ms), 100u);
  int owed = 0;
  Clock::time_point due = schedule.due(free_again, 10ms, 0.3);
  while (due <= free_again) {
    EXPECT_EQ(due, first + (owed + 1) * 10ms) << "call " << owed << " skipped or moved";
    ++owed;
    schedule.advance(10ms);
    due = schedule.due(free_again, 10ms, 0.3);
  }
  EXPECT_EQ(owed, 100);  // due at +10 ms ... +1000 ms
  EXPECT_EQ(schedule.owed(free_again, 10ms), 0u);
  EXPECT_EQ(due, first + 1010ms);
  // Their latencies from the due time: the first waited 990 ms, the last 0.
  EXPECT_EQ(free_again - (first + 10ms), 990ms);
}

TEST(CallSchedule, ARateChangeScalesTheWaitAndKeepsABacklog) {
  CallSchedule waiting;
  waiting.due(kStart, 100ms, 0.6);  // due at +60 ms
  // At +20 ms the rate doubles: 40 ms were left of 100, so 20 of 50.
  waiting.retime(kStart + 20ms, 100ms, 50ms);
  EXPECT_EQ(waiting.due(kStart, 50ms, 0.0), kStart + 40ms);

  CallSchedule behind;
  behind.due(kStart, 100ms, 0.0);
  behind.retime(kStart + 250ms, 100ms, 10ms);  // already due: stays due
  EXPECT_EQ(behind.due(kStart + 250ms, 10ms, 0.0), kStart);
  behind.advance(10ms);
  EXPECT_EQ(behind.due(kStart + 250ms, 10ms, 0.0), kStart + 10ms);  // later calls: new period

  CallSchedule idle;  // not started: nothing to re-time
  idle.retime(kStart, 100ms, 10ms);
  EXPECT_FALSE(idle.started());
}

TEST(CallSchedule, ResetDrawsANewPhase) {
  CallSchedule schedule;
  schedule.due(kStart, 10ms, 0.0);
  schedule.advance(10ms);
  schedule.reset();
  EXPECT_FALSE(schedule.started());
  EXPECT_EQ(schedule.due(kStart + 5s, 10ms, 0.5), kStart + 5s + 5ms);
}

}  // namespace
}  // namespace swarm::engine
