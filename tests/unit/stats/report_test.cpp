#include "stats/report.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace swarm::stats {
namespace {

using std::chrono::seconds;

std::size_t at(Reason reason) {
  return static_cast<std::size_t>(reason);
}

/// The line of `text` that starts with `prefix`, or "" when there is none.
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

/// A run of one minute, with snapshots 2 s apart: the later one adds known
/// amounts to the earlier one.
class ReportTest : public ::testing::Test {
 protected:
  ReportTest() {
    context_.action_names = {"login", "get", "get"};
    context_.started = std::chrono::steady_clock::time_point{} + seconds(1000);
    context_.target = 10'000;
    previous_.taken = context_.started + seconds(60);
    now_.taken = previous_.taken + seconds(2);
    fill_previous(previous_.totals);
    fill_now(now_.totals);
  }

  static void fill_previous(Recorder& r) {
    r.requests = 10'000;
    r.replies = 9'000;
    r.connects = 100;
    r.iterations = 10;
    r.errors[at(Reason::refused)] = 38;
    r.errors[at(Reason::timeout)] = 3;
    r.actions.resize(3);
    r.actions[1].latency_us.record_n(1000, 1000);
    r.actions[2].latency_us.record_n(1000, 1000);
  }

  static void fill_now(Recorder& r) {
    fill_previous(r);
    r.in_state = {120, 3100, 6600, 30};
    r.entered = {12'300, 1'200'000, 1'100'000, 45};
    r.open = 9'800;
    r.requests += 24'600;     // 12.3k/s over 2 s
    r.replies += 24'000;      // 12.0k/s
    r.connects += 122;        // 61.0/s
    r.iterations += 10;       // 5.0/s
    r.bytes_in += 92'365;     // 45.1KiB/s
    r.bytes_out += 2 * 1536;  // 1.5KiB/s
    r.errors[at(Reason::refused)] += 2;
    r.actions[1].latency_us.record_n(5000, 1000);
    r.actions[2].latency_us.record_n(5000, 1000);
    r.actions[2].requests = 4000;
    r.script_errors["attempt to index a nil value"] = 12;
  }

  ReportContext context_;
  Snapshot previous_;
  Snapshot now_;
};

TEST_F(ReportTest, StatusHasHeaderAndConnections) {
  const std::string text = format_status(context_, now_, previous_);
  EXPECT_NE(text.find("elapsed 1m02s"), std::string::npos) << text;
  const std::string connections = line_starting(text, "connections");
  EXPECT_NE(connections.find("target 10000"), std::string::npos) << text;
  EXPECT_NE(connections.find("open 9800"), std::string::npos) << text;
  EXPECT_NE(connections.find("connecting 120"), std::string::npos) << text;
}

TEST_F(ReportTest, StatusRatesUseTheGapBetweenSnapshots) {
  const std::string text = format_status(context_, now_, previous_);
  const std::string rates = line_starting(text, "rates");
  EXPECT_NE(rates.find("requests 12.3k"), std::string::npos) << text;
  EXPECT_NE(rates.find("replies 12.0k"), std::string::npos) << text;
  EXPECT_NE(rates.find("connects 61.0"), std::string::npos) << text;
  EXPECT_NE(rates.find("iterations 5.0"), std::string::npos) << text;
  EXPECT_NE(rates.find("in 45.1KiB"), std::string::npos) << text;
  EXPECT_NE(rates.find("out 1.5KiB"), std::string::npos) << text;
}

TEST_F(ReportTest, StatusShowsOnlyNonZeroErrors) {
  const std::string text = format_status(context_, now_, previous_);
  const std::string errors = line_starting(text, "errors");
  EXPECT_NE(errors.find("last 2.0s: refused 2 "), std::string::npos) << text;
  EXPECT_NE(errors.find("since start: refused 40  timeout 3"), std::string::npos) << text;
  EXPECT_EQ(text.find("reset"), std::string::npos) << text;
  EXPECT_EQ(text.find("protocol_error"), std::string::npos) << text;
}

TEST_F(ReportTest, StatusSaysErrorsNoneWhenThereAreNone) {
  now_.totals.errors = {};
  previous_.totals.errors = {};
  const std::string text = format_status(context_, now_, previous_);
  EXPECT_EQ(line_starting(text, "errors"), "errors        none") << text;
}

TEST_F(ReportTest, StatusKeepsTheOriginalTwoViews) {
  const std::string text = format_status(context_, now_, previous_);
  const std::string realtime = line_starting(text, "Realtime");
  EXPECT_NE(realtime.find("connecting 120  acting 3100  standby 6600  backoff 30"),
            std::string::npos)
      << text;
  EXPECT_NE(realtime.find("refused 2"), std::string::npos) << text;
  const std::string aggregates = line_starting(text, "Aggregates");
  EXPECT_NE(aggregates.find("connecting 12300  acting 1200000  standby 1100000  backoff 45"),
            std::string::npos)
      << text;
  EXPECT_NE(aggregates.find("refused 40  timeout 3"), std::string::npos) << text;
}

TEST_F(ReportTest, StatusLatencyMergesActionsOfOneCommand) {
  const std::string text = format_status(context_, now_, previous_);
  EXPECT_NE(line_starting(text, "latency").find("p50"), std::string::npos) << text;
  const std::string get = line_starting(text, "  get ");
  // 4000 requests over 2 s; interval p50..max all 5 ms; since start p50 1 ms,
  // p90 and above 5 ms.
  EXPECT_NE(get.find("2.0k  5.00ms  5.00ms  5.00ms  5.00ms |  1.00ms  5.00ms  5.00ms  5.00ms"),
            std::string::npos)
      << text;
  EXPECT_NE(line_starting(text, "  login ").find("-       -       -       -"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("  get ", text.find("  get ") + 1), std::string::npos) << text;
}

TEST_F(ReportTest, StatusListsScriptErrorsCapped) {
  for (int i = 0; i < 5; ++i) now_.totals.script_errors["error " + std::to_string(i)] = 1;
  const std::string text = format_status(context_, now_, previous_);
  const std::string line = line_starting(text, "script errors");
  EXPECT_NE(line.find("12x \"attempt to index a nil value\""), std::string::npos) << text;
  EXPECT_NE(line.find("3 more messages (3x)"), std::string::npos) << text;
}

TEST_F(ReportTest, StatusSurvivesSnapshotsTakenAtOnce) {
  const std::string text = format_status(context_, now_, now_);
  EXPECT_NE(line_starting(text, "rates").find("requests 0"), std::string::npos) << text;
}

TEST_F(ReportTest, FinalReportHasTotalsAveragesLatencyAndErrors) {
  const std::string text = format_final(context_, now_);
  EXPECT_NE(text.find("duration      1m02s"), std::string::npos) << text;
  EXPECT_NE(line_starting(text, "totals").find("requests 34600  replies 33000"), std::string::npos)
      << text;
  // 34,600 requests over 62 s.
  EXPECT_NE(line_starting(text, "average").find("requests 558"), std::string::npos) << text;
  EXPECT_EQ(line_starting(text, "errors"), "errors        refused 40  timeout 3") << text;
  EXPECT_NE(line_starting(text, "latency").find("p99"), std::string::npos) << text;
  EXPECT_NE(line_starting(text, "  get ").find("3.00ms"), std::string::npos) << text;  // mean
  EXPECT_NE(text.find("12x attempt to index a nil value"), std::string::npos) << text;
  EXPECT_NE(text.find("Aggregates"), std::string::npos) << text;
}

TEST_F(ReportTest, MemoryLineSplitsPerConnectionFromPerWorkerCosts) {
  now_.totals.open = 100;
  MemoryUse& memory = now_.totals.memory;
  memory.connections = 100 * 80;
  memory.frames = 100 * 304;
  memory.index = 100 * 16;
  memory.module = 512 * 1024;  // the Lua heap: once per worker, not per connection
  memory.buffers = 64 * 1024;
  const std::string line = line_starting(format_status(context_, now_, previous_), "memory");
  EXPECT_NE(line.find("per connection 400B  (object 80B  frames 304B  spill 0B  index 16B)"),
            std::string::npos)
      << line;
  EXPECT_NE(line.find("module 512"), std::string::npos) << line;
  EXPECT_NE(line.find("buffers 64"), std::string::npos) << line;
}

}  // namespace
}  // namespace swarm::stats
