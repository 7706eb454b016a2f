// The JSON report: well-formed, complete, and exact enough that merging two
// reports' buckets equals one run that recorded everything.
#include "stats/json_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace swarm::stats {
namespace {

using nlohmann::json;

RunRecord record_with(const Recorder& totals) {
  RunRecord record;
  record.config.version = "1.2.3";
  record.config.argv = {"swarm", "--threshold", "p99(get) < 5ms"};
  record.config.flags = {{"threads", std::int64_t{2}},
                         {"duration", FlagValue{}},
                         {"connect-rate", 1000.0},
                         {"server", std::vector<std::string>{"127.0.0.1:6379"}}};
  record.context.action_names = {"get", "set", "get"};
  record.context.started = std::chrono::steady_clock::time_point{} + std::chrono::seconds(100);
  record.context.target = 10;
  record.end.totals = totals;
  record.end.taken = record.context.started + std::chrono::seconds(4);
  record.at_stop = totals;
  record.stop_reason = "--duration reached";
  return record;
}

Recorder sample(std::uint64_t seed) {
  Recorder r;
  r.actions.resize(3);
  std::mt19937_64 random(seed);
  std::lognormal_distribution<double> skewed(7.0, 1.5);
  for (std::size_t index = 0; index < r.actions.size(); ++index) {
    CommandStats& action = r.actions[index];
    for (int i = 0; i < 5000; ++i)
      action.latency_us.record(static_cast<std::uint64_t>(skewed(random)));
    action.requests = action.replies = 5000;
    action.calls = 5000;
  }
  r.actions[2].requests += 3;
  r.actions[2].abandoned = 2;
  r.actions[2].failed = 1;
  r.requests = 15003;
  r.replies = 15000;
  r.connect_us.record_n(150, 10);
  r.connects = 10;
  r.errors[static_cast<std::size_t>(Reason::timeout)] = 1;
  r.script_errors["get: boom"] = 4;
  return r;
}

TEST(JsonReport, HoldsTheRunAndAddsUp) {
  const json report = json::parse(format_json_report(record_with(sample(1))));
  EXPECT_EQ(report["schema"], "swarm-report/1");
  EXPECT_EQ(report["swarm"]["version"], "1.2.3");
  EXPECT_EQ(report["config"]["flags"]["threads"], 2);
  EXPECT_TRUE(report["config"]["flags"]["duration"].is_null());
  EXPECT_EQ(report["config"]["flags"]["server"][0], "127.0.0.1:6379");
  EXPECT_EQ(report["duration_s"], 4.0);
  const json& totals = report["totals"];
  EXPECT_EQ(totals["requests"], 15003);
  EXPECT_EQ(totals["requests"].get<std::uint64_t>(),
            totals["replies"].get<std::uint64_t>() + totals["no_reply"].get<std::uint64_t>() +
                totals["failed"].get<std::uint64_t>() + totals["abandoned"].get<std::uint64_t>() +
                totals["in_flight"].get<std::uint64_t>());
  EXPECT_EQ(totals["errors"], 1);
  ASSERT_EQ(report["commands"].size(), 2u);  // get (actions 1 and 3), set
  EXPECT_EQ(report["commands"][0]["name"], "get");
  EXPECT_EQ(report["commands"][0]["actions"], json::array({1, 3}));
  EXPECT_EQ(report["commands"][0]["latency"]["count"], 10000);
  EXPECT_EQ(report["errors"]["messages"][0]["message"], "get: boom");
  EXPECT_EQ(report["errors"]["by_reason"]["timeout"], 1);
  EXPECT_EQ(report["connections"]["connect_time"]["p50"], 150);
  EXPECT_TRUE(report["thresholds"]["passed"]);
}

TEST(JsonReport, RateModeAddsTheTargetTheAchievedRateAndTheSecondLatency) {
  Recorder totals = sample(3);
  for (std::size_t i = 0; i < totals.actions.size(); ++i) {
    if (!totals.actions.owns(i)) continue;
    auto& action = totals.actions[i];
    action.scheduled = action.calls;
    action.intended_us = action.latency_us;
    action.intended_us.record(2'000'000);  // one call waited out a stall
  }
  RunRecord record = record_with(totals);
  // 1000/s from the start, off at 1 s, 500/s from 2 s to the end (4 s).
  record.context.rate.set(record.context.started, 1000);
  record.context.rate.set(record.context.started + std::chrono::seconds(1), 0);
  record.context.rate.set(record.context.started + std::chrono::seconds(2), 500);
  const json report = json::parse(format_json_report(record));
  const json& rate = report["totals"]["rate"];
  EXPECT_EQ(rate["target"], 500.0);
  EXPECT_EQ(rate["scheduled_calls"], 15000);
  EXPECT_DOUBLE_EQ(rate["seconds"].get<double>(), 3.0);
  EXPECT_DOUBLE_EQ(rate["achieved"].get<double>(), 5000.0);
  EXPECT_EQ(rate["changes"],
            json::parse(R"([{"at_s": 0.0, "target": 1000.0}, {"at_s": 1.0, "target": 0.0},
                            {"at_s": 2.0, "target": 500.0}])"));
  const json& get = report["commands"][0];
  EXPECT_EQ(get["scheduled_calls"], 10000);
  EXPECT_EQ(get["intended_latency"]["count"], 10002);
  EXPECT_EQ(get["intended_latency"]["max"], 2'000'000);
  EXPECT_EQ(histogram_from_json(get["intended_latency"].dump()), [&] {
    Histogram both = totals.actions[0].intended_us;
    both.merge(totals.actions[2].intended_us);
    return both;
  }());
  // Without a rate, neither appears.
  const json closed = json::parse(format_json_report(record_with(sample(3))));
  EXPECT_FALSE(closed["totals"].contains("rate"));
  EXPECT_FALSE(closed["commands"][0].contains("intended_latency"));
}

TEST(JsonReport, MergedBucketsEqualOneRunOfEverything) {
  const Recorder first = sample(1);
  const Recorder second = sample(2);
  Recorder both = first;
  both.merge(second);
  auto latency_of = [](const Recorder& r) {
    const json report = json::parse(format_json_report(record_with(r)));
    return report["commands"][1]["latency"].dump();
  };
  Histogram merged = histogram_from_json(latency_of(first));
  merged.merge(histogram_from_json(latency_of(second)));
  EXPECT_TRUE(merged == both.actions[1].latency_us);
  EXPECT_EQ(histogram_from_json(latency_of(both)), both.actions[1].latency_us);
  for (const double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
    EXPECT_EQ(merged.percentile(p), both.actions[1].latency_us.percentile(p)) << p;
  }
}

TEST(JsonReport, MalformedLatencyIsRejected) {
  EXPECT_THROW(histogram_from_json("{}"), std::invalid_argument);
  EXPECT_THROW(histogram_from_json(R"({"sum": 1, "min": 5, "max": 5,
      "histogram": {"buckets": [[257, 257, 1]]}})"),
               std::invalid_argument);  // 257 starts no bucket
  EXPECT_THROW(histogram_from_json(R"({"sum": 1, "min": 9, "max": 9,
      "histogram": {"buckets": [[5, 5, 1]]}})"),
               std::invalid_argument);  // min outside the bucket
}

TEST(JsonReport, NumberArraysStayOnOneLine) {
  const std::string text = format_json_report(record_with(sample(3)));
  EXPECT_NE(text.find("\"actions\": [1, 3]"), std::string::npos);
  EXPECT_EQ(text.find("[\n            1"), std::string::npos);
}

}  // namespace
}  // namespace swarm::stats

namespace swarm::stats {
namespace {

TEST(JsonReport, IntervalJsonIsTheReportsIntervalShape) {
  const RunRecord full = [] {
    RunRecord r = record_with(sample(3));
    Snapshot before{Recorder{}, r.context.started, {}};
    r.intervals.push_back(interval_record(r.context, r.end, before));
    return r;
  }();
  const json report = json::parse(format_json_report(full));
  const json alone = json::parse(format_interval_json(full.intervals[0]));
  EXPECT_EQ(alone, report["intervals"][0]);
  const json live = json::parse(format_live_json(full.context, full.end, full.intervals[0]));
  EXPECT_EQ(live["interval"], alone);
  EXPECT_EQ(live["since_start"]["totals"]["requests"], 15003);
  EXPECT_EQ(live["since_start"]["errors"]["messages"][0]["message"], "get: boom");
  EXPECT_EQ(live["since_start"]["commands"][0]["name"], "get");
}

}  // namespace
}  // namespace swarm::stats
