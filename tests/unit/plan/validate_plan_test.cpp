#include <gtest/gtest.h>

#include <vector>

#include "plan/plan_loader.hpp"

namespace swarm::plan {
namespace {

const std::string yaml =
    "protocol: durian\n"
    "actions:\n"
    "  - command: heartbeat\n"
    "  - command: create_chatroom\n"
    "    args: {uid: 1}\n"
    "  - command: heartbeat\n"
    "  - command: fly\n";

// The module's commands, as a protocol layer would answer.
std::optional<Problem> durian_check(const Action& action) {
  if (action.command == "heartbeat") return std::nullopt;
  return Problem{{}, "unknown command '" + action.command + "' (module durian has: heartbeat)"};
}

TEST(ValidatePlan, CallsCheckOnEveryActionInOrder) {
  const Plan plan = parse_plan(yaml, "plan.yml");
  std::vector<std::string> seen;
  validate_plan(plan, [&](const Action& action) -> std::optional<Problem> {
    seen.push_back(action.command);
    return std::nullopt;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"heartbeat", "create_chatroom", "heartbeat", "fly"}));
}

TEST(ValidatePlan, ReportsEveryFailingActionAtItsCommand) {
  const Plan plan = parse_plan(yaml, "plan.yml");
  try {
    validate_plan(plan, durian_check);
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_EQ(std::string(error.what()),
              "plan.yml:4:14: unknown command 'create_chatroom' (module durian has: heartbeat)\n"
              "plan.yml:7:14: unknown command 'fly' (module durian has: heartbeat)");
    EXPECT_EQ(error.line(), 4);
    EXPECT_EQ(error.column(), 14);
    EXPECT_EQ(error.problems().size(), 2u);
  }
}

TEST(ValidatePlan, ArgsWhereLocatesArgsProblems) {
  const Plan plan = parse_plan(yaml, "plan.yml");
  EXPECT_EQ(plan.actions[1].args_where.line, 5);
  EXPECT_EQ(plan.actions[1].args_where.column, 5);
}

TEST(ValidatePlan, AProblemWithAPlaceStaysThere) {
  const Plan plan = parse_plan(yaml, "plan.yml");
  const Value& uid = plan.actions[1].args.as_map()->front().second;
  EXPECT_EQ(uid.where.line, 5);
  EXPECT_EQ(uid.where.column, 17);
  try {
    validate_plan(plan, [](const Action& action) -> std::optional<Problem> {
      if (const Map* args = action.args.as_map(); args && !args->empty()) {
        return Problem{args->front().second.where, "bad uid"};
      }
      return std::nullopt;
    });
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_EQ(std::string(error.what()), "plan.yml:5:17: bad uid");
  }
}

TEST(ValidatePlan, ChecksOnConnectAtItsPlace) {
  const Plan plan = parse_plan(
      "protocol: redis\non_connect: {hello: 4}\nactions: [{command: ping}]\n", "plan.yml");
  try {
    validate_plan(
        plan, [](const Action&) -> std::optional<Problem> { return std::nullopt; },
        [](const Value& on_connect) -> std::optional<Problem> {
          return Problem{on_connect.as_map()->front().second.where, "hello: 2 or 3"};
        });
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_EQ(std::string(error.what()), "plan.yml:2:21: hello: 2 or 3");
  }
}

TEST(ValidatePlan, PassesWhenAllAreFine) {
  const Plan plan = parse_plan("protocol: durian\nactions: [{command: heartbeat}]\n", "plan.yml");
  EXPECT_NO_THROW(validate_plan(plan, durian_check));
}

}  // namespace
}  // namespace swarm::plan
