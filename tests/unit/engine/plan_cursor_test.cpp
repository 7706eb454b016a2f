// The walk through the plan, without sockets: the order of calls and
// sleeps, rounds drawn once per iteration.
#include "engine/plan_cursor.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace swarm::engine {
namespace {

using Kind = PlanCursor::Step::Kind;
using std::chrono::seconds;

plan::Action action(std::int64_t lo, std::int64_t hi, int between_s, int after_s) {
  plan::Action made;
  made.rounds = {lo, hi};
  made.sleep_between_rounds = {seconds(between_s), seconds(between_s), true};
  made.sleep_after_action = {seconds(after_s), seconds(after_s), true};
  return made;
}

/// The next `count` steps as text: "call 0", "sleep 2s", "iteration".
std::vector<std::string> walk(PlanCursor& cursor, plan::Rng& rng, int count) {
  std::vector<std::string> steps;
  for (int i = 0; i < count; ++i) {
    PlanCursor::Step step = cursor.next(rng);
    switch (step.kind) {
      case Kind::call:
        steps.push_back("call " + std::to_string(step.action));
        break;
      case Kind::sleep:
        steps.push_back("sleep " +
                        std::to_string(std::chrono::duration_cast<seconds>(step.duration).count()) +
                        "s");
        break;
      case Kind::iteration:
        steps.push_back("iteration");
        break;
    }
  }
  return steps;
}

TEST(PlanCursorTest, CallsAndSleepsInTheOriginalOrder) {
  std::vector<plan::Action> actions = {action(2, 2, 1, 3), action(1, 1, 0, 5)};
  PlanCursor cursor(actions);
  plan::Rng rng(1);
  EXPECT_EQ(walk(cursor, rng, 10),
            (std::vector<std::string>{"call 0", "sleep 1s", "call 0", "sleep 1s", "sleep 3s",
                                      "call 1", "sleep 0s", "sleep 5s", "iteration", "call 0"}));
}

TEST(PlanCursorTest, ZeroRoundsSkipsTheCallsButNotTheSleepAfter) {
  std::vector<plan::Action> actions = {action(0, 0, 1, 2), action(1, 1, 0, 0)};
  PlanCursor cursor(actions);
  plan::Rng rng(1);
  EXPECT_EQ(walk(cursor, rng, 6), (std::vector<std::string>{"sleep 2s", "call 1", "sleep 0s",
                                                            "sleep 0s", "iteration", "sleep 2s"}));
}

TEST(PlanCursorTest, RoundsAreDrawnOncePerIteration) {
  std::vector<plan::Action> actions = {action(1, 3, 0, 0)};
  PlanCursor cursor(actions);
  plan::Rng rng(42);
  std::set<int> seen;
  int calls = 0;
  for (int iterations = 0; iterations < 300;) {
    PlanCursor::Step step = cursor.next(rng);
    if (step.kind == Kind::call) ++calls;
    if (step.kind != Kind::iteration) continue;
    ASSERT_GE(calls, 1);
    ASSERT_LE(calls, 3);
    seen.insert(calls);
    calls = 0;
    ++iterations;
  }
  EXPECT_EQ(seen, (std::set<int>{1, 2, 3}));
}

}  // namespace
}  // namespace swarm::engine
