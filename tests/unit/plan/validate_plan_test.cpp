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
std::optional<std::string> durian_check(const Action& action) {
  if (action.command == "heartbeat") return std::nullopt;
  return "unknown command '" + action.command + "' (module durian has: heartbeat)";
}

TEST(ValidatePlan, CallsCheckOnEveryActionInOrder) {
  const Plan plan = parse_plan(yaml, "plan.yml");
  std::vector<std::string> seen;
  validate_plan(plan, [&](const Action& action) -> std::optional<std::string> {
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

TEST(ValidatePlan, PassesWhenAllAreFine) {
  const Plan plan = parse_plan("protocol: durian\nactions: [{command: heartbeat}]\n", "plan.yml");
  EXPECT_NO_THROW(validate_plan(plan, durian_check));
}

}  // namespace
}  // namespace swarm::plan
