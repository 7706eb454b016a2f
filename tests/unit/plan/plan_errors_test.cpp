// Every way a script can be wrong, and what swarm says about it: the message
// must name the line, the column and the problem.
#include <gtest/gtest.h>

#include "plan/plan_loader.hpp"

namespace swarm::plan {
namespace {

// what() of the PlanError that parsing `yaml` throws.
std::string error_of(const std::string& yaml) {
  try {
    parse_plan(yaml, "plan.yml");
  } catch (const PlanError& error) {
    return error.what();
  }
  return "no error";
}

// A plan whose only action has `field` written as `text`.
std::string with_field(const std::string& field, const std::string& text) {
  return "protocol: p\nactions:\n  - command: a\n    " + field + ": " + text + "\n";
}

TEST(PlanErrors, RoundsNotANumber) {
  const std::string yaml =
      "protocol: durian\n"
      "actions:\n"
      "  - command: heartbeat\n"
      "    rounds: 2\n"
      "\n"
      "  - command: heartbeat\n"
      "    rounds:      abc\n";
  EXPECT_EQ(error_of(yaml),
            "plan.yml:7:18: rounds: expected a whole number >= 0 or [lo, hi], got 'abc'");
}

TEST(PlanErrors, RoundsNegativeFractionalOrHuge) {
  const std::string expected =
      "plan.yml:4:13: rounds: expected a whole number >= 0 or [lo, hi], got ";
  EXPECT_EQ(error_of(with_field("rounds", "-1")), expected + "'-1'");
  EXPECT_EQ(error_of(with_field("rounds", "1.5")), expected + "'1.5'");
  EXPECT_EQ(error_of(with_field("rounds", "99999999999999999999")),
            expected + "'99999999999999999999'");
  EXPECT_EQ(error_of(with_field("rounds", "{a: 1}")), expected + "a map");
  EXPECT_EQ(error_of(with_field("rounds", "")),
            "plan.yml:4:5: rounds: expected a whole number >= 0 or [lo, hi], got nothing");
}

TEST(PlanErrors, RangeLoGreaterThanHi) {
  EXPECT_EQ(error_of(with_field("rounds", "[5, 2]")),
            "plan.yml:4:13: rounds: lo must not be greater than hi, got [5, 2]");
  EXPECT_EQ(error_of(with_field("sleep_after_action", "[2s, 500ms]")),
            "plan.yml:4:25: sleep_after_action: lo must not be greater than hi, got [2s, 500ms]");
}

TEST(PlanErrors, RangeOfWrongSize) {
  EXPECT_EQ(error_of(with_field("rounds", "[1, 2, 3]")),
            "plan.yml:4:13: rounds: a range needs exactly two values [lo, hi], got 3");
  EXPECT_EQ(
      error_of(with_field("sleep_between_rounds", "[1]")),
      "plan.yml:4:27: sleep_between_rounds: a range needs exactly two values [lo, hi], got 1");
  EXPECT_EQ(error_of(with_field("rounds", "[]")),
            "plan.yml:4:13: rounds: a range needs exactly two values [lo, hi], got 0");
}

TEST(PlanErrors, RangeEndsPointAtTheBadEnd) {
  EXPECT_EQ(error_of(with_field("rounds", "[1, -2]")),
            "plan.yml:4:17: rounds: expected a whole number >= 0 in [lo, hi], got '-2'");
  EXPECT_EQ(error_of(with_field("rounds", "[[1], 2]")),
            "plan.yml:4:14: rounds: expected a whole number >= 0 in [lo, hi], got a list");
}

TEST(PlanErrors, BadSleeps) {
  const std::string expected =
      "plan.yml:4:25: sleep_after_action: expected a duration >= 0 (seconds as 2 or 1.5, or "
      "250ms, 2s, 1m) or [lo, hi], got ";
  EXPECT_EQ(error_of(with_field("sleep_after_action", "-1")), expected + "'-1'");
  EXPECT_EQ(error_of(with_field("sleep_after_action", "abc")), expected + "'abc'");
  EXPECT_EQ(error_of(with_field("sleep_after_action", "5x")), expected + "'5x'");
  EXPECT_EQ(error_of(with_field("sleep_after_action", "[1, -5]")),
            "plan.yml:4:29: sleep_after_action: expected a duration >= 0 (seconds as 2 or 1.5, or "
            "250ms, 2s, 1m) in [lo, hi], got '-5'");
}

TEST(PlanErrors, UnknownKeyInAction) {
  const std::string yaml =
      "protocol: p\n"
      "actions:\n"
      "  - command: a\n"
      "  - command: b\n"
      "    sleep_afer_action: 1\n";
  EXPECT_EQ(error_of(yaml),
            "plan.yml:5:5: unknown key 'sleep_afer_action' in action 2 (expected one of: command, "
            "args, rounds, sleep_between_rounds, sleep_after_action)");
}

TEST(PlanErrors, UnknownTopLevelKey) {
  EXPECT_EQ(error_of("protocol: p\nactions: [{command: a}]\nprotocl: x\n"),
            "plan.yml:3:1: unknown key 'protocl' at the top level (expected one of: protocol, "
            "on_connect, actions, thresholds)");
}

TEST(PlanErrors, OnConnectMustBeAMap) {
  EXPECT_EQ(error_of("protocol: p\non_connect: 3\nactions: [{command: a}]\n"),
            "plan.yml:2:13: on_connect: expected a map of name: value, got '3'");
}

TEST(PlanErrors, DuplicateKey) {
  EXPECT_EQ(error_of("protocol: p\nactions:\n  - command: a\n    rounds: 1\n    rounds: 2\n"),
            "plan.yml:5:5: duplicate key 'rounds' in action 1 (first at 4:5)");
}

TEST(PlanErrors, MissingCommand) {
  EXPECT_EQ(error_of("protocol: p\nactions:\n  - command: a\n  - rounds: 2\n"),
            "plan.yml:4:5: missing 'command' in action 2");
}

TEST(PlanErrors, CommandNotAName) {
  EXPECT_EQ(error_of("protocol: p\nactions:\n  - command: [a, b]\n"),
            "plan.yml:3:14: command: expected the name of a function of the protocol module, "
            "got a list");
  EXPECT_EQ(error_of("protocol: p\nactions:\n  - command: ''\n"),
            "plan.yml:3:14: command: expected the name of a function of the protocol module, "
            "got ''");
}

TEST(PlanErrors, ActionNotAMap) {
  EXPECT_EQ(error_of("protocol: p\nactions:\n  - heartbeat\n"),
            "plan.yml:3:5: action 1: expected a map with 'command', got 'heartbeat'");
}

TEST(PlanErrors, ActionsEmptyMissingOrNotAList) {
  EXPECT_EQ(error_of("protocol: p\nactions: []\n"),
            "plan.yml:2:10: actions: expected a list of at least one action, got an empty list");
  EXPECT_EQ(error_of("protocol: p\nactions:\n"),
            "plan.yml:2:1: actions: expected a list of at least one action, got nothing");
  EXPECT_EQ(error_of("protocol: p\nactions: heartbeat\n"),
            "plan.yml:2:10: actions: expected a list of at least one action, got 'heartbeat'");
  EXPECT_EQ(error_of("protocol: p\n"),
            "plan.yml:1:1: missing 'actions' (the list of actions to run)");
}

TEST(PlanErrors, ProtocolMissingOrNotAModuleName) {
  EXPECT_EQ(error_of("actions: [{command: a}]\n"),
            "plan.yml:1:1: missing 'protocol' (the protocol module's name)");
  const std::string expected =
      "plan.yml:1:11: protocol: expected a module name (letters, digits, '_' or '-'), got ";
  EXPECT_EQ(error_of("protocol: ../evil\nactions: [{command: a}]\n"), expected + "'../evil'");
  EXPECT_EQ(error_of("protocol: a/b\nactions: [{command: a}]\n"), expected + "'a/b'");
  EXPECT_EQ(error_of("protocol: [a]\nactions: [{command: a}]\n"), expected + "a list");
  EXPECT_EQ(error_of("protocol: ''\nactions: [{command: a}]\n"), expected + "''");
}

TEST(PlanErrors, ArgsNotAMap) {
  EXPECT_EQ(error_of(with_field("args", "[1, 2]")),
            "plan.yml:4:11: args: expected a map of name: value, got a list");
  EXPECT_EQ(error_of(with_field("args", "uid")),
            "plan.yml:4:11: args: expected a map of name: value, got 'uid'");
}

TEST(PlanErrors, ArgsWithOutOfRangeNumbersOrComplexKeys) {
  EXPECT_EQ(error_of(with_field("args", "{uid: 99999999999999999999}")),
            "plan.yml:4:17: args.uid: number out of range, got '99999999999999999999'");
  EXPECT_EQ(error_of(with_field("args", "{list: [1, 2e999]}")),
            "plan.yml:4:22: args.list[2]: number out of range, got '2e999'");
  EXPECT_EQ(error_of(with_field("args", "{[a]: 1}")),
            "plan.yml:4:12: args: a key must be a plain name, got a list");
}

TEST(PlanErrors, YamlSyntaxError) {
  EXPECT_EQ(error_of("protocol: p\nactions: [{command: a}\n"),
            "plan.yml:3:1: invalid YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("protocol: p\n  actions: x\n"),
            "plan.yml:2:10: invalid YAML: illegal map value");
}

TEST(PlanErrors, EmptyOrNotAMap) {
  EXPECT_EQ(error_of(""),
            "plan.yml: the plan is empty (expected a map with 'protocol' and 'actions')");
  EXPECT_EQ(error_of("# only a comment\n"),
            "plan.yml: the plan is empty (expected a map with 'protocol' and 'actions')");
  EXPECT_EQ(error_of("- protocol: p\n"),
            "plan.yml:1:1: expected a map with 'protocol' and 'actions' at the top level, got a "
            "list");
  EXPECT_EQ(error_of("durian\n"),
            "plan.yml:1:1: expected a map with 'protocol' and 'actions' at the top level, got "
            "'durian'");
}

TEST(PlanErrors, SecondDocument) {
  EXPECT_EQ(error_of("protocol: p\nactions: [{command: a}]\n---\nprotocol: q\n"),
            "plan.yml:4:1: a second YAML document: a plan is a single document");
}

TEST(PlanErrors, EveryProblemIsReportedInFileOrder) {
  const std::string yaml =
      "protocol: a/b\n"
      "actions:\n"
      "  - command: a\n"
      "    rounds: [5, 2]\n"
      "  - sleep_after_action: -1\n"
      "    bogus: 1\n";
  try {
    parse_plan(yaml, "plan.yml");
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_EQ(error.problems().size(), 5u);
    EXPECT_EQ(error.line(), 1);
    EXPECT_EQ(error.column(), 11);
    EXPECT_EQ(error.path(), "plan.yml");
    EXPECT_EQ(std::string(error.what()),
              "plan.yml:1:11: protocol: expected a module name (letters, digits, '_' or '-'), got "
              "'a/b'\n"
              "plan.yml:4:13: rounds: lo must not be greater than hi, got [5, 2]\n"
              "plan.yml:5:5: missing 'command' in action 2\n"
              "plan.yml:5:25: sleep_after_action: expected a duration >= 0 (seconds as 2 or 1.5, "
              "or 250ms, 2s, 1m) or [lo, hi], got '-1'\n"
              "plan.yml:6:5: unknown key 'bogus' in action 2 (expected one of: command, args, "
              "rounds, sleep_between_rounds, sleep_after_action)");
  }
}

TEST(PlanErrors, ErrorCarriesItsParts) {
  try {
    parse_plan(with_field("rounds", "abc"), "dir/plan.yml");
    FAIL() << "no error";
  } catch (const PlanError& error) {
    EXPECT_EQ(error.path(), "dir/plan.yml");
    EXPECT_EQ(error.line(), 4);
    EXPECT_EQ(error.column(), 13);
    EXPECT_EQ(error.message(), "rounds: expected a whole number >= 0 or [lo, hi], got 'abc'");
  }
}

}  // namespace
}  // namespace swarm::plan
