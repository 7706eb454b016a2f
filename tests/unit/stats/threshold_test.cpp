// Thresholds checked against a plan's commands and judged against counts.
#include "stats/threshold.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace swarm::stats {
namespace {

const std::vector<std::string> kActions = {"login", "get", "get"};

Threshold parsed(const std::string& text) {
  ThresholdParse result = parse_threshold(text);
  EXPECT_TRUE(result.threshold) << text << ": " << result.error.message;
  return result.threshold.value_or(Threshold{});
}

std::optional<ThresholdError> check(const std::string& text) {
  return check_threshold(parsed(text), kActions);
}

/// 1000 gets of 1 ms and 10 of 20 ms (split over both get actions), 5
/// logins, 3 timeouts and 2 refused connects.
Recorder sample() {
  Recorder r;
  r.actions.resize(3);
  r.actions[0].calls = 5;
  r.actions[0].requests = 5;
  r.actions[1].calls = 600;
  r.actions[1].requests = 600;
  r.actions[1].latency_us.record_n(1000, 600);
  r.actions[2].calls = 413;
  r.actions[2].requests = 413;
  r.actions[2].errors = 3;
  r.actions[2].latency_us.record_n(1000, 400);
  r.actions[2].latency_us.record_n(20000, 10);
  r.requests = 1018;
  r.replies = 1010;
  r.errors[static_cast<std::size_t>(Reason::timeout)] = 3;
  r.errors[static_cast<std::size_t>(Reason::refused)] = 2;
  r.connect_attempts = 12;
  r.connects = 10;
  r.open = 10;
  r.connect_us.record_n(300, 10);
  return r;
}

ThresholdResult judge(const std::string& text, double seconds = 10) {
  return evaluate_threshold(parsed(text), sample(), kActions, seconds);
}

TEST(Threshold, NamesMustExist) {
  EXPECT_FALSE(check("p99(get) < 5ms"));
  EXPECT_FALSE(check("p99(*) < 5ms"));
  EXPECT_FALSE(check("p99(@connect) < 5ms"));
  EXPECT_FALSE(check("p99(@handshake) < 5ms"));
  EXPECT_FALSE(check("errors(timeout) == 0"));
  EXPECT_FALSE(check("errors(login) == 0"));
  EXPECT_FALSE(check("rate(get) > 1"));
  EXPECT_FALSE(check("rate(replies) > 1"));
  EXPECT_FALSE(check("open >= 1"));
  const auto unknown = check("p99(gte) < 5ms");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->column, 5u);
  EXPECT_EQ(
      unknown->message,
      "unknown command 'gte' (the plan's commands: get, login, '*', '@connect' or '@handshake')");
  const auto gauge = check("rate(open) > 1");
  ASSERT_TRUE(gauge);
  EXPECT_NE(gauge->message.find("'open' is a gauge"), std::string::npos);
  const auto counter = check("opened > 1");
  ASSERT_TRUE(counter);
  EXPECT_EQ(counter->column, 1u);
  EXPECT_NE(counter->message.find("unknown metric 'opened'"), std::string::npos);
  EXPECT_TRUE(check("errors(nosuch) == 0"));
  EXPECT_FALSE(check("errors(tls_verify) == 0"));
}

TEST(Threshold, LatencyOfACommandMergesItsActions) {
  const ThresholdResult p99 = judge("p99(get) < 5ms");
  EXPECT_TRUE(p99.has_data);
  // 1010 gets, 10 of them 20 ms: the 99th percentile is the 1000th, 1 ms.
  EXPECT_NEAR(p99.value, 1000, 1000 * Histogram::kRelativeError + 1);
  EXPECT_TRUE(p99.pass);
  EXPECT_EQ(p99.unit, "us");
  const ThresholdResult tail = judge("p99.9(*) < 5ms");
  EXPECT_NEAR(tail.value, 20000, 20000 * Histogram::kRelativeError + 1);
  EXPECT_FALSE(tail.pass);
  EXPECT_EQ(judge("max(get) <= 20ms").value, 20000);
  EXPECT_TRUE(judge("p50(@connect) < 1ms").pass);
  EXPECT_EQ(judge("p50(@handshake) < 1ms").shown, "no data");  // a plain TCP run
  const ThresholdResult none = judge("p50(login) < 1ms");      // no replies
  EXPECT_FALSE(none.has_data);
  EXPECT_FALSE(none.pass);
  EXPECT_EQ(none.shown, "no data");
}

TEST(Threshold, ErrorsAsCountsAndRatios) {
  EXPECT_EQ(judge("errors(*) == 0").value, 5);  // 3 timeouts + 2 refused
  EXPECT_FALSE(judge("errors(*) == 0").pass);
  // 5 errors of 1018 calls + 12 connect attempts.
  EXPECT_DOUBLE_EQ(judge("errors(*) < 1%").value, 5.0 / 1030);
  EXPECT_TRUE(judge("errors(*) < 1%").pass);
  EXPECT_EQ(judge("errors(*) < 1%").unit, "ratio");
  EXPECT_DOUBLE_EQ(judge("errors(refused) < 1%").value, 2.0 / 12);    // of connect attempts
  EXPECT_DOUBLE_EQ(judge("errors(timeout) < 1%").value, 3.0 / 1018);  // of calls
  EXPECT_DOUBLE_EQ(judge("errors(get) < 1%").value, 3.0 / 1013);
  EXPECT_EQ(judge("errors(login) == 0").value, 0);
}

TEST(Threshold, RatesAndCounters) {
  EXPECT_DOUBLE_EQ(judge("rate(replies) > 100", 10).value, 101);
  EXPECT_TRUE(judge("rate(replies) > 100", 10).pass);
  EXPECT_DOUBLE_EQ(judge("rate(get) > 1", 10).value, 101.3);  // the command's requests
  EXPECT_DOUBLE_EQ(judge("rate(*) > 1", 10).value, 101.8);
  EXPECT_EQ(judge("rate(replies) > 1", 0).value, 0);
  EXPECT_EQ(judge("open >= 10").value, 10);
  EXPECT_TRUE(judge("open >= 10").pass);
  EXPECT_FALSE(judge("open > 10").pass);
  EXPECT_EQ(judge("connects == 10").value, 10);
  EXPECT_TRUE(judge("attempts != 10").pass);
}

TEST(Threshold, RateModeJudgesTheLatencyFromTheDueTime) {
  // The gets also went on a schedule: each reply 2 ms later from its due
  // time than from its send.
  Recorder r = sample();
  r.actions[1].intended_us.record_n(3000, 600);
  r.actions[2].intended_us.record_n(3000, 400);
  r.actions[2].intended_us.record_n(22000, 10);
  r.actions[1].scheduled = 600;
  r.actions[2].scheduled = 413;
  const auto value = [&](const std::string& text) {
    return evaluate_threshold(parsed(text), r, kActions, 10).value;
  };
  EXPECT_NEAR(value("p50(get) < 5ms"), 3000, 3000 * Histogram::kRelativeError + 1);
  EXPECT_NEAR(value("intended_p50(get) < 5ms"), 3000, 3000 * Histogram::kRelativeError + 1);
  EXPECT_NEAR(value("service_p50(get) < 5ms"), 1000, 1000 * Histogram::kRelativeError + 1);
  EXPECT_EQ(value("max(*) < 5ms"), 22000);
  EXPECT_EQ(value("service_max(*) < 5ms"), 20000);
  EXPECT_DOUBLE_EQ(value("service_mean(login) < 5ms"), 0);
  EXPECT_DOUBLE_EQ(value("rate(scheduled) > 100"), 101.3);
  // Without a schedule: the plain view is the service time; the intended
  // one has nothing to judge.
  EXPECT_NEAR(judge("p50(get) < 5ms").value, 1000, 1000 * Histogram::kRelativeError + 1);
  EXPECT_FALSE(judge("intended_p50(get) < 5ms").has_data);
  EXPECT_EQ(judge("scheduled == 0").value, 0);
}

TEST(Threshold, ConnectTimeHasOneView) {
  const auto error = check("service_p99(@connect) < 5ms");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->column, 13u);
  EXPECT_NE(error->message.find("'@connect' has one latency"), std::string::npos);
  EXPECT_FALSE(check("intended_p99(get) < 5ms"));
}

}  // namespace
}  // namespace swarm::stats
