// Metrics text: names and types as Prometheus wants them, histogram buckets
// cumulative and consistent with the HDR histogram, both formats.
#include "stats/metrics_text.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

namespace swarm::stats {
namespace {

ReportContext context() {
  ReportContext c;
  c.action_names = {"get", "set \"quoted\"\\", "get"};
  c.target = 7;
  return c;
}

Recorder sample() {
  Recorder r;
  r.actions.resize(3);
  r.actions[0].requests = 10;
  r.actions[0].replies = 9;
  r.actions[0].in_flight = 1;
  r.actions[2].requests = 5;
  r.actions[2].replies = 4;
  r.actions[2].failed = 1;
  for (std::uint64_t v : {5u, 10u, 24u, 25u, 26u, 999u, 1000u, 1001u, 5000u}) {
    r.actions[0].latency_us.record(v);
  }
  r.actions[1].calls = 3;
  r.actions[1].errors = 2;
  r.open = 6;
  r.in_state[static_cast<std::size_t>(ConnState::connecting)] = 1;
  r.errors[static_cast<std::size_t>(Reason::refused)] = 4;
  r.connects = 9;
  r.bytes_in = 123;
  r.connect_us.record(150);
  return r;
}

/// Sample lines "name{labels} value" → value.
std::map<std::string, std::string> samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

TEST(MetricsText, PrometheusCountersGaugesAndLabels) {
  const std::string text =
      format_metrics(context(), sample(), {"1.2.3", "redis", 100.5}, MetricsFormat::prometheus);
  const auto s = samples(text);
  EXPECT_EQ(s.at("swarm_build_info{version=\"1.2.3\",protocol=\"redis\"}"), "1");
  EXPECT_EQ(s.at("swarm_connections_target"), "7");
  EXPECT_EQ(s.at("swarm_connections_open"), "6");
  EXPECT_EQ(s.at("swarm_connections_connecting"), "1");
  EXPECT_EQ(s.at("swarm_connections{state=\"connecting\"}"), "1");
  // Two actions run get: one row.
  EXPECT_EQ(s.at("swarm_requests_total{command=\"get\"}"), "15");
  EXPECT_EQ(s.at("swarm_replies_total{command=\"get\"}"), "13");
  EXPECT_EQ(s.at("swarm_request_ends_total{command=\"get\",end=\"failed\"}"), "1");
  EXPECT_EQ(s.at("swarm_requests_in_flight{command=\"get\"}"), "1");
  EXPECT_EQ(s.at("swarm_command_errors_total{command=\"set \\\"quoted\\\"\\\\\"}"), "2");
  EXPECT_EQ(s.at("swarm_errors_total{reason=\"refused\"}"), "4");
  EXPECT_EQ(s.at("swarm_errors_total{reason=\"timeout\"}"), "0");
  EXPECT_EQ(s.at("swarm_received_bytes_total"), "123");
  EXPECT_NE(text.find("# TYPE swarm_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE swarm_build_info gauge\n"), std::string::npos);
  EXPECT_EQ(text.find("# EOF"), std::string::npos);
  EXPECT_EQ(text.find("# UNIT"), std::string::npos);
}

TEST(MetricsText, RateModeAddsTargetBacklogScheduledCallsAndTheDueTimeLatency) {
  const std::string closed =
      format_metrics(context(), sample(), {"1.2.3", "redis", 100.5}, MetricsFormat::prometheus);
  EXPECT_EQ(closed.find("swarm_rate_target"), std::string::npos);
  EXPECT_EQ(closed.find("intended"), std::string::npos);
  ReportContext rated = context();
  rated.rate.set(rated.started, 2500);
  Recorder r = sample();
  r.owed_calls = 40;
  r.actions[0].scheduled = 9;
  r.actions[0].intended_us.record_n(250'000, 3);
  const std::string text =
      format_metrics(rated, r, {"1.2.3", "redis", 100.5}, MetricsFormat::prometheus);
  const auto s = samples(text);
  EXPECT_EQ(s.at("swarm_rate_target"), "2500");
  EXPECT_EQ(s.at("swarm_rate_owed_calls"), "40");
  EXPECT_EQ(s.at("swarm_scheduled_calls_total{command=\"get\"}"), "9");
  EXPECT_EQ(s.at("swarm_request_intended_duration_seconds_count{command=\"get\"}"), "3");
  EXPECT_EQ(s.at("swarm_request_intended_duration_seconds_bucket{command=\"get\",le=\"0.25\"}"),
            "3");
  EXPECT_NE(text.find("# TYPE swarm_request_intended_duration_seconds histogram\n"),
            std::string::npos);
}

TEST(MetricsText, HistogramBucketsAreCumulativeAtFixedBounds) {
  const auto s = samples(format_metrics(context(), sample(), {}, MetricsFormat::prometheus));
  const std::string b = "swarm_request_duration_seconds_bucket{command=\"get\",le=\"";
  EXPECT_EQ(s.at(b + "1e-05\"}"), "2");    // 5, 10
  EXPECT_EQ(s.at(b + "2.5e-05\"}"), "4");  // 24, 25
  // 26, 999, 1000 and 1001: 1001 shares the bucket [1000, 1003] with 1000.
  EXPECT_EQ(s.at(b + "0.001\"}"), "8");
  EXPECT_EQ(s.at(b + "0.005\"}"), "9");
  EXPECT_EQ(s.at(b + "+Inf\"}"), "9");
  EXPECT_EQ(s.at("swarm_request_duration_seconds_count{command=\"get\"}"), "9");
  EXPECT_EQ(s.at("swarm_request_duration_seconds_sum{command=\"get\"}"), "0.00809");
  EXPECT_EQ(s.at("swarm_connect_duration_seconds_bucket{le=\"0.00025\"}"), "1");
}

TEST(MetricsText, CumulativeBucketsNeverDecreaseAndEndAtTheCount) {
  Histogram h;
  for (std::uint64_t v = 1; v < 200'000'000; v = v * 3 / 2 + 1) h.record(v);
  const auto counts = cumulative_buckets(h);
  for (std::size_t i = 1; i < counts.size(); ++i) EXPECT_LE(counts[i - 1], counts[i]);
  EXPECT_LE(counts.back(), h.count());
  // Each bound holds every value at or below it, and at most the values
  // of the one HDR bucket that starts at the bound besides.
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const auto bound_us = static_cast<std::uint64_t>(kLatencyBucketsSeconds[i] * 1e6 + 0.5);
    const std::uint64_t slack = Histogram::highest_in(Histogram::index_of(bound_us));
    std::uint64_t below = 0, within = 0;
    for (std::uint64_t v = 1; v < 200'000'000; v = v * 3 / 2 + 1) {
      below += v <= bound_us ? 1 : 0;
      within += v <= slack ? 1 : 0;
    }
    EXPECT_GE(counts[i], below) << "le " << bound_us;
    EXPECT_LE(counts[i], within) << "le " << bound_us;
  }
}

TEST(MetricsText, OpenMetricsFamiliesUnitsInfoAndEof) {
  const std::string text =
      format_metrics(context(), sample(), {"1.2.3", "redis", 1}, MetricsFormat::openmetrics);
  EXPECT_NE(text.find("# TYPE swarm_requests counter\n"), std::string::npos);
  EXPECT_NE(text.find("\nswarm_requests_total{command=\"get\"} 15\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE swarm_build info\n"), std::string::npos);
  EXPECT_NE(text.find("# UNIT swarm_request_duration_seconds seconds\n"), std::string::npos);
  EXPECT_NE(text.find("# UNIT swarm_received_bytes bytes\n"), std::string::npos);
  EXPECT_NE(text.find("le=\"1.0\""), std::string::npos);
  EXPECT_NE(text.find("le=\"120.0\""), std::string::npos);
  EXPECT_TRUE(text.ends_with("# EOF\n"));
}

TEST(MetricsText, FormatFollowsAccept) {
  EXPECT_EQ(metrics_format_for(""), MetricsFormat::prometheus);
  EXPECT_EQ(metrics_format_for("text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
            MetricsFormat::prometheus);
  EXPECT_EQ(metrics_format_for("application/openmetrics-text;version=1.0.0,text/plain;q=0.5"),
            MetricsFormat::openmetrics);
  EXPECT_EQ(metrics_content_type(MetricsFormat::openmetrics),
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

}  // namespace
}  // namespace swarm::stats
