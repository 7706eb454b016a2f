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
            "plan.yml:4:13: rounds: at most 1000000000000000 (1e15) per iteration, got "
            "'99999999999999999999'");
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
            "on_connect, actions, thresholds, rate)");
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
            "plan.yml:1:1: the plan is empty (expected a map with 'protocol' and 'actions')");
  EXPECT_EQ(error_of("# only a comment\n"),
            "plan.yml:1:1: the plan is empty (expected a map with 'protocol' and 'actions')");
  EXPECT_EQ(error_of("- protocol: p\n"),
            "plan.yml:1:1: expected a map with 'protocol' and 'actions' at the top level, got a "
            "list");
  EXPECT_EQ(error_of("durian\n"),
            "plan.yml:1:1: expected a map with 'protocol' and 'actions' at the top level, got "
            "'durian'");
}

TEST(PlanErrors, AbsurdNumbersSayTheLimit) {
  EXPECT_EQ(error_of(with_field("rounds", "1e18")),
            "plan.yml:4:13: rounds: at most 1000000000000000 (1e15) per iteration, got '1e18'");
  EXPECT_EQ(error_of(with_field("rounds", "[1, 2000000000000000]")),
            "plan.yml:4:17: rounds: at most 1000000000000000 (1e15) per iteration, got "
            "'2000000000000000'");
  EXPECT_EQ(error_of(with_field("rounds", ".nan")),
            "plan.yml:4:13: rounds: expected a whole number >= 0 or [lo, hi], got '.nan'");
  EXPECT_EQ(error_of(with_field("rounds", ".inf")),
            "plan.yml:4:13: rounds: expected a whole number >= 0 or [lo, hi], got '.inf'");
  EXPECT_EQ(error_of(with_field("rounds", "-1e3")),
            "plan.yml:4:13: rounds: expected a whole number >= 0 or [lo, hi], got '-1e3'");
  EXPECT_EQ(error_of(with_field("rounds", "1.5e0")),
            "plan.yml:4:13: rounds: expected a whole number >= 0 or [lo, hi], got '1.5e0'");
  EXPECT_EQ(error_of(with_field("sleep_after_action", "[0, 1e9]")),
            "plan.yml:4:29: sleep_after_action: at most 8760h (a year), got '1e9'");
  EXPECT_EQ(error_of(with_field("sleep_between_rounds", "9000h")),
            "plan.yml:4:27: sleep_between_rounds: at most 8760h (a year), got '9000h'");
  EXPECT_EQ(error_of(with_field("sleep_after_action", ".nan")),
            "plan.yml:4:25: sleep_after_action: expected a duration >= 0 (seconds as 2 or 1.5, "
            "or 250ms, 2s, 1m) or [lo, hi], got '.nan'");
  EXPECT_EQ(error_of(with_field("sleep_after_action", "-1e3")),
            "plan.yml:4:25: sleep_after_action: expected a duration >= 0 (seconds as 2 or 1.5, "
            "or 250ms, 2s, 1m) or [lo, hi], got '-1e3'");
}

TEST(PlanErrors, ControlBytesAreEscapedInMessages) {
  EXPECT_EQ(error_of(with_field("rounds", "\"\\e[2J\\x07\"")),
            "plan.yml:4:13: rounds: expected a whole number >= 0 or [lo, hi], got "
            "'\\x1b[2J\\x07'");
}

TEST(PlanErrors, DuplicateArgsKey) {
  EXPECT_EQ(error_of(with_field("args", "{uid: 1, uid: 2}")),
            "plan.yml:4:20: args: duplicate key 'uid' (first at 4:12)");
}

TEST(PlanErrors, AnIterationThatCanDoNothingForeverIsRefused) {
  EXPECT_EQ(error_of("protocol: p\nactions:\n  - command: a\n    rounds: 0\n"
                     "    sleep_after_action: 0\n"),
            "plan.yml:3:14: every action has rounds 0 and sleep_after_action 0: each connection "
            "would spin doing nothing. Give an action rounds >= 1, or a sleep_after_action to "
            "hold idle connections (e.g. 1h)");
  // Rounds 0 with a sleep holds idle connections; a possible round is work.
  EXPECT_EQ(error_of(with_field("rounds", "0")), "no error");
  EXPECT_EQ(error_of("protocol: p\nactions:\n  - command: a\n    rounds: [0, 1]\n"
                     "    sleep_after_action: 0\n    sleep_between_rounds: 0\n"),
            "no error");
}

// Nine levels of nine aliases: 9^9 nodes if expanded. Refused at the alias
// that passes the bound, without expanding anything.
TEST(PlanErrors, AliasBombIsRefusedAtTheAlias) {
  std::string yaml = "protocol: p\nactions:\n  - command: a\n    args:\n";
  yaml += "      a0: &a0 [x, x, x, x, x, x, x, x, x]\n";
  for (int level = 1; level < 10; ++level) {
    yaml += "      a" + std::to_string(level) + ": &a" + std::to_string(level) + " [";
    for (int i = 0; i < 9; ++i) yaml += (i ? ", *a" : "*a") + std::to_string(level - 1);
    yaml += "]\n";
  }
  const std::string error = error_of(yaml);
  EXPECT_EQ(error.substr(0, error.find(": the plan")), "plan.yml:10:46") << error;
  EXPECT_NE(error.find("expands to more than 500000 nodes (aliases included)"), std::string::npos)
      << error;
}

TEST(PlanErrors, AliasesWithinTheBoundWork) {
  const Plan plan = parse_plan(
      "protocol: p\nactions:\n  - command: a\n    args: &common {uid: 7, room: r}\n"
      "  - command: b\n    args: *common\n",
      "plan.yml");
  ASSERT_EQ(plan.actions.size(), 2u);
  ASSERT_NE(plan.actions[1].args.as_map(), nullptr);
  EXPECT_EQ(plan.actions[1].args.as_map()->size(), 2u);
}

TEST(PlanErrors, DeepNestingIsRefusedWhereItPassesTheBound) {
  std::string yaml = "protocol: p\nactions:\n  - command: a\n    args: {x: ";
  yaml += std::string(100000, '[') + std::string(100000, ']') + "}\n";
  EXPECT_EQ(error_of(yaml), "plan.yml:4:75: lists and maps nested deeper than 64 levels");
}

// yaml-cpp 0.7 starts the same empty document for ever at a stray ','
// (its issue #1040); found by the fuzzer as a hang.
TEST(PlanErrors, StrayCommaWhereADocumentBeginsIsAnErrorNotAHang) {
  EXPECT_EQ(error_of(","), "plan.yml:1:1: invalid YAML: unexpected ','");
  EXPECT_EQ(error_of(", protocol: durtil: durtionon: 1s\n\nons: []\n"),
            "plan.yml:1:1: invalid YAML: unexpected ','");
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

TEST(PlanErrors, RateMustBeCallsPerSecond) {
  const std::string actions = "actions: [{command: a}]\nprotocol: p\n";
  EXPECT_EQ(error_of("rate: fast\n" + actions),
            "plan.yml:1:7: rate: expected calls per second, all connections together (e.g. 1000 "
            "or 1000/s), got 'fast'");
  EXPECT_EQ(error_of("rate: [1, 2]\n" + actions),
            "plan.yml:1:7: rate: expected calls per second, all connections together (e.g. 1000 "
            "or 1000/s), got a list");
  EXPECT_EQ(error_of("rate: -3\n" + actions),
            "plan.yml:1:7: rate: rate -3 is negative (0 or off: no rate)");
  EXPECT_EQ(error_of("rate:   1e9\n" + actions),
            "plan.yml:1:9: rate: rate 1000000000 is more than 100000000 calls per second");
  EXPECT_EQ(error_of("rate: .nan\n" + actions),
            "plan.yml:1:7: rate: expected calls per second, all connections together (e.g. 1000 "
            "or 1000/s), got '.nan'");
}

}  // namespace
}  // namespace swarm::plan
