#include "plan/plan_loader.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "plan/yaml_limits.hpp"

namespace swarm::plan {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

const std::string example_path = std::string(SWARM_PLAN_TEST_DIR) + "/data/example.yml";

TEST(LoadPlan, TheOriginalReadmeExample) {
  const Plan plan = load_plan(example_path);
  EXPECT_EQ(plan.path, example_path);
  EXPECT_EQ(plan.protocol, "durian");
  ASSERT_EQ(plan.actions.size(), 2u);

  const Action& heartbeat = plan.actions[0];
  EXPECT_EQ(heartbeat.command, "heartbeat");
  ASSERT_NE(heartbeat.args.as_map(), nullptr);
  ASSERT_EQ(heartbeat.args.as_map()->size(), 1u);
  EXPECT_EQ(heartbeat.args.as_map()->at(0).first, "uid");
  EXPECT_EQ(std::get<std::int64_t>(heartbeat.args.as_map()->at(0).second.data), 123);
  EXPECT_EQ(heartbeat.rounds.lo, 2);
  EXPECT_EQ(heartbeat.rounds.hi, 10);
  EXPECT_EQ(heartbeat.sleep_between_rounds.lo, 1s);
  EXPECT_EQ(heartbeat.sleep_between_rounds.hi, 5s);
  EXPECT_TRUE(heartbeat.sleep_between_rounds.whole_seconds);
  EXPECT_EQ(heartbeat.sleep_after_action.hi, 5s);
  EXPECT_EQ(heartbeat.where.line, 5);
  EXPECT_EQ(heartbeat.where.column, 14);
  EXPECT_EQ(heartbeat.args_where.line, 6);
  EXPECT_EQ(heartbeat.args_where.column, 5);

  const Action& create = plan.actions[1];
  EXPECT_EQ(create.command, "create_chatroom");
  EXPECT_EQ(create.args.as_map()->size(), 2u);
  EXPECT_EQ(create.rounds.lo, 1);
  EXPECT_EQ(create.rounds.hi, 1);
  EXPECT_EQ(create.sleep_between_rounds.lo, 0ns);
  EXPECT_EQ(create.sleep_between_rounds.hi, 0ns);
  EXPECT_EQ(create.where.line, 12);
}

TEST(LoadPlan, MissingFileSaysWhy) {
  try {
    load_plan("/nonexistent/plan.yml");
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_STREQ(error.what(), "/nonexistent/plan.yml: cannot read: No such file or directory");
    EXPECT_EQ(error.path(), "/nonexistent/plan.yml");
    EXPECT_EQ(error.line(), 0);
  }
}

TEST(LoadPlan, DirectorySaysWhy) {
  const std::string dir = SWARM_PLAN_TEST_DIR;
  try {
    load_plan(dir);
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_EQ(std::string(error.what()), dir + ": cannot read: Is a directory");
  }
}

TEST(LoadPlan, EmptyFile) {
  const auto path = std::filesystem::temp_directory_path() / "swarm_plan_test_empty.yml";
  { std::ofstream file(path); }
  try {
    load_plan(path.string());
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_EQ(
        std::string(error.what()),
        path.string() + ":1:1: the plan is empty (expected a map with 'protocol' and 'actions')");
  }
  std::filesystem::remove(path);
}

TEST(LoadPlan, FileLargerThanTheLimitIsRefusedUnread) {
  const auto path = std::filesystem::temp_directory_path() / "swarm_plan_test_large.yml";
  {
    std::ofstream file(path);
    file << "protocol: p\nactions:\n";
    const std::string action = "  - command: a\n";
    for (std::size_t size = 0; size <= kMaxPlanBytes; size += action.size()) file << action;
  }
  try {
    load_plan(path.string());
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_EQ(std::string(error.what()),
              path.string() +
                  ":1:1: the file is larger than 8 MiB: a plan is a short list of actions, is "
                  "this the right file?");
  }
  std::filesystem::remove(path);
}

TEST(LoadPlan, EndlessDeviceIsRefusedAfterTheLimit) {
  try {
    load_plan("/dev/zero");
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_NE(std::string(error.what()).find("larger than 8 MiB"), std::string::npos);
  }
}

TEST(ParsePlan, RoundsInAnyNumberNotation) {
  const Plan plan = parse_plan(
      "protocol: p\nactions:\n  - command: a\n    rounds: 1e12\n"
      "    sleep_after_action: [0, 1.5e3]\n",
      "plan.yml");
  EXPECT_EQ(plan.actions[0].rounds.lo, 1'000'000'000'000);
  EXPECT_EQ(plan.actions[0].rounds.hi, 1'000'000'000'000);
  EXPECT_EQ(plan.actions[0].sleep_after_action.hi, 1500s);
}

TEST(ParsePlan, Defaults) {
  const Plan plan = parse_plan("protocol: p\nactions:\n  - command: ping\n", "plan.yml");
  ASSERT_EQ(plan.actions.size(), 1u);
  const Action& action = plan.actions[0];
  ASSERT_NE(action.args.as_map(), nullptr);
  EXPECT_TRUE(action.args.as_map()->empty());
  EXPECT_EQ(action.rounds.lo, 1);
  EXPECT_EQ(action.rounds.hi, 1);
  for (const DurationRange& sleep : {action.sleep_between_rounds, action.sleep_after_action}) {
    EXPECT_EQ(sleep.lo, 1s);
    EXPECT_EQ(sleep.hi, 1s);
    EXPECT_TRUE(sleep.whole_seconds);
  }
  EXPECT_EQ(action.where.line, 3);
  EXPECT_EQ(action.where.column, 14);
  EXPECT_EQ(action.args_where.line, action.where.line);  // no args: the action's place
  EXPECT_EQ(action.args_where.column, action.where.column);
}

TEST(ParsePlan, RateIsCallsPerSecondOrNone) {
  const std::string actions = "protocol: p\nactions: [{command: a}]\n";
  EXPECT_EQ(parse_plan(actions, "plan.yml").rate, 0.0);
  const Plan plan = parse_plan(actions + "rate: 1500\n", "plan.yml");
  EXPECT_EQ(plan.rate, 1500.0);
  EXPECT_EQ(plan.rate_where.line, 3);
  EXPECT_EQ(plan.rate_where.column, 7);
  EXPECT_EQ(parse_plan(actions + "rate: 2.5/s\n", "plan.yml").rate, 2.5);
  EXPECT_EQ(parse_plan(actions + "rate: 0\n", "plan.yml").rate, 0.0);
}

TEST(ParsePlan, EmptyArgsIsAnEmptyMap) {
  const Plan plan = parse_plan("protocol: p\nactions:\n  - command: ping\n    args:\n", "p.yml");
  ASSERT_NE(plan.actions[0].args.as_map(), nullptr);
  EXPECT_TRUE(plan.actions[0].args.as_map()->empty());
  EXPECT_EQ(plan.actions[0].args_where.line, 4);
}

TEST(ParsePlan, RoundsZeroAndRanges) {
  const Plan plan = parse_plan(
      "protocol: my-proto_2\nactions:\n"
      "  - {command: a, rounds: 0}\n"
      "  - {command: b, rounds: [3, 3]}\n"
      "  - {command: c, rounds: [0, 1000000]}\n",
      "p.yml");
  EXPECT_EQ(plan.protocol, "my-proto_2");
  EXPECT_EQ(plan.actions[0].rounds.lo, 0);
  EXPECT_EQ(plan.actions[0].rounds.hi, 0);
  EXPECT_EQ(plan.actions[1].rounds.lo, 3);
  EXPECT_EQ(plan.actions[2].rounds.hi, 1000000);
}

// The sleep written as `text`.
DurationRange sleep_of(const std::string& text) {
  const Plan plan = parse_plan(
      "protocol: p\nactions:\n  - command: a\n    sleep_after_action: " + text + "\n", "p.yml");
  return plan.actions[0].sleep_after_action;
}

TEST(ParsePlan, SleepForms) {
  const auto check = [](const std::string& text, nanoseconds lo, nanoseconds hi, bool whole) {
    const DurationRange range = sleep_of(text);
    EXPECT_EQ(range.lo, lo) << text;
    EXPECT_EQ(range.hi, hi) << text;
    EXPECT_EQ(range.whole_seconds, whole) << text;
  };
  check("0", 0s, 0s, true);
  check("3", 3s, 3s, true);
  check("1.5", 1500ms, 1500ms, false);
  check("0.25", 250ms, 250ms, false);
  check("250ms", 250ms, 250ms, false);
  check("2s", 2s, 2s, false);
  check("1m", 1min, 1min, false);
  check("[1, 5]", 1s, 5s, true);
  check("[0.5, 2]", 500ms, 2s, false);
  check("[1, 2.5]", 1s, 2500ms, false);
  check("[100ms, 1s]", 100ms, 1s, false);
  check("[1s, 1s]", 1s, 1s, false);
  check("['1', \"2\"]", 1s, 2s, true);
  check("\n      - 1\n      - 4", 1s, 4s, true);
}

TEST(ParsePlan, SleepBetweenRoundsToo) {
  const Plan plan = parse_plan(
      "protocol: p\nactions:\n  - command: a\n    sleep_between_rounds: [10ms, 20ms]\n", "p.yml");
  EXPECT_EQ(plan.actions[0].sleep_between_rounds.lo, 10ms);
  EXPECT_EQ(plan.actions[0].sleep_between_rounds.hi, 20ms);
  EXPECT_EQ(plan.actions[0].sleep_after_action.lo, 1s);
}

TEST(ParsePlan, CommentsAndTrailingDocumentMarker) {
  const Plan plan =
      parse_plan("# a plan\nprotocol: p # inline\nactions: [{command: a}]\n---\n", "p.yml");
  EXPECT_EQ(plan.actions[0].command, "a");
}

}  // namespace
}  // namespace swarm::plan
