// A plan's `thresholds:` list: both forms, and problems at file:line:col,
// the column pointing inside the expression.
#include <gtest/gtest.h>

#include "plan/plan_loader.hpp"

namespace swarm::plan {
namespace {

const std::string kHead =
    "protocol: redis\n"
    "actions:\n"
    "  - command: GET\n"
    "  - command: SET\n"
    "thresholds:\n";

std::string error_of(const std::string& yaml) {
  try {
    parse_plan(yaml, "plan.yml");
  } catch (const PlanError& error) {
    return error.what();
  }
  return "no error";
}

TEST(PlanThresholds, StringsAndMaps) {
  const Plan plan = parse_plan(kHead +
                                   "  - p99(GET) < 5ms\n"
                                   "  - \"errors(*) < 0.1%; abort\"\n"
                                   "  - {expr: 'open >= 10', abort: yes, warmup: 1.5s}\n",
                               "plan.yml");
  ASSERT_EQ(plan.thresholds.size(), 3u);
  EXPECT_EQ(plan.thresholds[0].threshold.subject, "GET");
  EXPECT_EQ(plan.thresholds[0].where.line, 6);
  EXPECT_EQ(plan.thresholds[0].where.column, 5);
  EXPECT_TRUE(plan.thresholds[1].threshold.abort);
  EXPECT_EQ(plan.thresholds[1].where.column, 6);  // past the quote
  EXPECT_TRUE(plan.thresholds[2].threshold.abort);
  EXPECT_EQ(plan.thresholds[2].threshold.warmup, std::chrono::milliseconds(1500));
  EXPECT_EQ(plan.thresholds[2].where.line, 8);
  EXPECT_EQ(plan.thresholds[2].where.column, 13);  // past the quote
}

TEST(PlanThresholds, NoneIsFine) {
  EXPECT_TRUE(parse_plan(kHead, "plan.yml").thresholds.empty());
  EXPECT_TRUE(parse_plan("protocol: p\nactions: [{command: a}]\n", "plan.yml").thresholds.empty());
}

TEST(PlanThresholds, ProblemsPointIntoTheExpression) {
  EXPECT_EQ(error_of(kHead + "  - p99(GTE) < 5ms\n"),
            "plan.yml:6:9: thresholds: unknown command 'GTE' (the plan's commands: GET, SET, '*', "
            "'@connect' or '@handshake') in \"p99(GTE) < 5ms\"");
  EXPECT_EQ(
      error_of(kHead + "  - \"p99(GET) < 5\"\n"),
      "plan.yml:6:17: thresholds: a latency needs a unit: 5ms, 5us or 5s in \"p99(GET) < 5\"");
  EXPECT_EQ(error_of(kHead + "  - {expr: \"open >> 3\"}\n"),
            "plan.yml:6:19: thresholds: expected a number in \"open >> 3\"");
}

TEST(PlanThresholds, BadEntries) {
  EXPECT_EQ(error_of(kHead + "  - [p99(GET) < 5ms]\n"),
            "plan.yml:6:5: thresholds: expected a threshold such as \"p99(get) < 5ms\" or {expr: "
            "\"p99(get) < 5ms\", abort: true, warmup: 10s}, got a list");
  EXPECT_EQ(error_of(kHead + "  - {expr: open > 1, abort: maybe}\n"),
            "plan.yml:6:29: thresholds: abort: expected true or false, got 'maybe'");
  EXPECT_EQ(error_of(kHead + "  - {expr: open > 1, warmup: soon}\n"),
            "plan.yml:6:30: thresholds: warmup: expected a duration (10s, 500ms, 1m), got 'soon'");
  EXPECT_EQ(error_of(kHead + "  - {exp: open > 1}\n"),
            "plan.yml:6:6: thresholds: unknown key 'exp' (expected expr, abort or warmup)");
  EXPECT_EQ(error_of(kHead + "  - {abort: true}\n"),
            "plan.yml:6:5: thresholds: missing 'expr' (the threshold, e.g. p99(get) < 5ms)");
  EXPECT_EQ(error_of(kHead + "  p99: 5ms\n"),
            "plan.yml:6:3: thresholds: expected a list of thresholds, got a map");
}

}  // namespace
}  // namespace swarm::plan
