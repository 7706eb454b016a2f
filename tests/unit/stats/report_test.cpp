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

/// The line of `text` after the one that starts with `prefix`.
std::string line_after(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) == 0) return std::getline(lines, line) ? line : "";
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

TEST_F(ReportTest, RepliesByKindShowErrorsApartFromOutcomes) {
  previous_.totals.actions[1].reply_kinds.add("hit", false, 100);
  previous_.totals.actions[2].reply_kinds.add("-WRONGTYPE", true, 3);
  now_.totals.actions[1].reply_kinds.add("hit", false, 130);
  now_.totals.actions[1].reply_kinds.add("miss", false, 4);
  now_.totals.actions[2].reply_kinds.add("-WRONGTYPE", true, 5);
  const std::string text = format_status(context_, now_, previous_);
  // The two `get` actions are one row: their counts add up.
  EXPECT_EQ(line_starting(text, "reply errors"),
            "reply errors  last 2.0s: get: -WRONGTYPE 2  || since start: get: -WRONGTYPE 5")
      << text;
  EXPECT_EQ(line_starting(text, "reply kinds"),
            "reply kinds   last 2.0s: get: hit 30  miss 4  || since start: get: hit 130  miss 4")
      << text;
  const std::string final_text = format_final(context_, now_);
  EXPECT_EQ(line_starting(final_text, "reply errors"), "reply errors  get: -WRONGTYPE 5");
  EXPECT_EQ(line_starting(final_text, "reply kinds"), "reply kinds   get: hit 130  miss 4");
}

TEST_F(ReportTest, ReceivedMessagesPerSecondPerTopicAndTheirLatency) {
  for (int i = 0; i < 10; ++i) previous_.totals.received.count("news");
  for (int i = 0; i < 50; ++i) now_.totals.received.count("news");
  for (int i = 0; i < 8; ++i) now_.totals.received.count("sport");
  now_.totals.received.count("");
  now_.totals.received.latency_us.record_n(2000, 40);
  const std::string text = format_status(context_, now_, previous_);
  // 49 messages in the 2 s interval; news the busiest topic.
  EXPECT_EQ(line_starting(text, "received"),
            "received      messages/s 24.5  total 59  news 20.0/s  sport 4.0/s")
      << text;
  EXPECT_NE(line_starting(text, "  publish-to-receive").find("2.00ms"), std::string::npos) << text;
  const std::string final_text = format_final(context_, now_);
  EXPECT_EQ(line_starting(final_text, "received"),
            "received      messages 59  (1.0/s)  by topic:  news 50  sport 8")
      << final_text;
  EXPECT_NE(line_starting(final_text, "  publish-to-receive").find("40"), std::string::npos)
      << final_text;
}

TEST_F(ReportTest, NoReplyKindsOrMessagesNoLines) {
  const std::string text = format_status(context_, now_, previous_) + format_final(context_, now_);
  EXPECT_EQ(text.find("reply errors"), std::string::npos);
  EXPECT_EQ(text.find("reply kinds"), std::string::npos);
  EXPECT_EQ(text.find("received"), std::string::npos);
  EXPECT_EQ(text.find("publish-to-receive"), std::string::npos);
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

TEST_F(ReportTest, ConnectTimeHasARowOfItsOwn) {
  previous_.totals.connect_us.record_n(400, 100);
  now_.totals.connect_us.record_n(400, 100);
  now_.totals.connect_us.record_n(2000, 122);
  const std::string status = format_status(context_, now_, previous_);
  const std::string row = line_starting(status, "  @connect");
  EXPECT_NE(row.find("61.0"), std::string::npos) << status;  // 122 connects over 2 s
  EXPECT_NE(row.find("2.00ms"), std::string::npos) << status;
  const std::string final_row = line_starting(format_final(context_, now_), "  @connect");
  EXPECT_NE(final_row.find("1.28ms  2.00ms"), std::string::npos) << final_row;  // mean, p50
}

TEST_F(ReportTest, RateModeShowsTargetAchievedAndBothLatencies) {
  EXPECT_EQ(line_starting(format_status(context_, now_, previous_), "rate "), "");
  context_.rate.set(context_.started, 2000);
  previous_.totals.actions[2].scheduled = 116'000;
  now_.totals.actions[2].scheduled = 119'900;  // 1950/s over the last 2 s
  now_.totals.actions[2].intended_us.record_n(9000, 1000);
  const std::string status = format_status(context_, now_, previous_);
  EXPECT_EQ(line_starting(status, "rate "),
            "rate          target 2.0k/s  (0.2/s per connection over 10000)  achieved 1.9k/s "
            "(last 2.0s)")
      << status;
  EXPECT_NE(line_starting(status, "latency").find("from the due time, service: from the send"),
            std::string::npos)
      << status;
  // get's row: from the due time; the service row under it: from the send.
  EXPECT_NE(line_starting(status, "  get ").find("9.00ms  9.00ms  9.00ms  9.00ms"),
            std::string::npos)
      << status;
  const std::string service = line_after(status, "  get ");
  EXPECT_TRUE(service.starts_with("    service ")) << status;
  EXPECT_NE(service.find("5.00ms  5.00ms  5.00ms  5.00ms |  1.00ms"), std::string::npos) << status;

  const std::string text = format_final(context_, now_);
  // 119,900 calls on a schedule over the 62 s with a target.
  EXPECT_EQ(line_starting(text, "rate "),
            "rate          target 2.0k/s  (0.2/s per connection over 10000)  achieved 1.9k/s over "
            "1m02s with a target  scheduled calls 119900")
      << text;
  EXPECT_NE(line_starting(text, "  get ").find("9.00ms"), std::string::npos) << text;
  EXPECT_TRUE(line_after(text, "  get ").starts_with("    service ")) << text;
  EXPECT_NE(line_after(text, "  get ").find("3.00ms  1.00ms"), std::string::npos) << text;  // mean
  EXPECT_NE(text.find("(rate mode: a command's latency runs from when its call was due"),
            std::string::npos)
      << text;

  // Behind: how many calls are owed, and a hint once over a second's worth.
  now_.totals.owed_calls = 1500;
  const std::string behind = format_status(context_, now_, previous_);
  EXPECT_NE(line_starting(behind, "rate ").find("behind 1500 calls"), std::string::npos) << behind;
  EXPECT_EQ(line_starting(behind, "rate hint"), "") << behind;
  now_.totals.owed_calls = 2500;
  const std::string hint = line_starting(format_status(context_, now_, previous_), "rate hint");
  EXPECT_NE(hint.find("10000 connections (one call at a time each) cannot carry 2.0k/s"),
            std::string::npos)
      << hint;

  // Switched off: the target says so; both views stay, as the run had both.
  context_.rate.set(now_.taken, 0);
  EXPECT_NE(line_starting(format_status(context_, now_, previous_), "rate ")
                .find("target off (the plan's sleeps pace the calls)"),
            std::string::npos);
}

TEST_F(ReportTest, SynRetriesComeWithAHint) {
  EXPECT_EQ(line_starting(format_status(context_, now_, previous_), "syn retries"), "");
  previous_.totals.syn_retries = 40;
  now_.totals.syn_retries = 742;
  const std::string line = line_starting(format_status(context_, now_, previous_), "syn retries");
  EXPECT_NE(line.find("last 2.0s 702"), std::string::npos) << line;
  EXPECT_NE(line.find("since start 742 connects needed a SYN retransmission"), std::string::npos)
      << line;
  EXPECT_NE(line.find("listen backlog"), std::string::npos) << line;
  EXPECT_NE(line.find("somaxconn"), std::string::npos) << line;
  const std::string final_line = line_starting(format_final(context_, now_), "syn retries");
  EXPECT_NE(final_line.find("in all 742"), std::string::npos) << final_line;
}

TEST_F(ReportTest, FinalReportReconcilesRequests) {
  Recorder& r = now_.totals;
  r.actions[2].requests = 4000;
  r.actions[2].replies = 3990;
  r.actions[2].no_reply = 3;
  r.actions[2].failed = 2;
  r.actions[2].abandoned = 4;
  r.actions[2].in_flight = 1;
  Recorder at_stop = r;
  at_stop.open = 9'800;
  const std::string text = format_final(context_, now_, &at_stop);
  EXPECT_NE(line_starting(text, "requests")
                .find("requests      4000 = replies 3990 + no_reply 3 + failed 2 + in_flight 5  "),
            std::string::npos)
      << text;
  EXPECT_NE(line_starting(text, "at stop").find("open 9800"), std::string::npos) << text;
  EXPECT_NE(line_starting(text, "latency").find("p99.9  p99.99     max"), std::string::npos)
      << text;
}

TEST_F(ReportTest, ThresholdsListValuesAndVerdicts) {
  EXPECT_EQ(format_thresholds({}), "");
  ThresholdOutcome pass{parse_threshold("p99(get) < 5ms").threshold.value(),
                        "--threshold",
                        {true, 3120, true, "3.12ms", "us"},
                        62,
                        false};
  ThresholdOutcome fail{parse_threshold("errors(*) < 0.1%; abort").threshold.value(),
                        "plan.yml:9:5",
                        {true, 0.0052, false, "0.52%", "ratio"},
                        62,
                        true};
  const std::string text = format_thresholds({pass, fail});
  EXPECT_EQ(line_starting(text, "thresholds"), "thresholds    1 passed  1 failed") << text;
  EXPECT_NE(text.find("  pass  p99(get) < 5ms        3.12ms  (--threshold)"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  FAIL  errors(*) < 0.1%       0.52%  (plan.yml:9:5, aborted the run)"),
            std::string::npos)
      << text;
  const std::string status = format_threshold_status({pass, fail});
  EXPECT_EQ(status, "thresholds    1 of 2 hold  FAIL errors(*) < 0.1% (0.52%)\n");
}

TEST_F(ReportTest, MemoryLineWithNoConnectionOpenShowsTotalsAsTotals) {
  now_.totals.open = 0;
  MemoryUse& memory = now_.totals.memory;
  memory.frames = 12'224;
  memory.buffers = 64 * 1024;
  const std::string line = line_starting(format_status(context_, now_, previous_), "memory");
  EXPECT_EQ(line.find("per connection"), std::string::npos) << line;
  EXPECT_NE(line.find("no connection open, in all 12224B"), std::string::npos) << line;
}

TEST_F(ReportTest, ScriptErrorsAreShownWholeUpToAWidthAndEscaped) {
  const std::string message =
      "heartbeat: unexpected reply to heartbeat from the chat server, which answered with "
      "something that is not +OK at all: \x1b[2J-ERR";
  now_.totals.script_errors[message] = 3;
  const std::string final_report = format_final(context_, now_);
  EXPECT_NE(final_report.find("3x heartbeat: unexpected reply to heartbeat from the chat server, "
                              "which answered with something that is not +OK at all: "
                              "\\x1b[2J-ERR"),
            std::string::npos)
      << final_report;
  now_.totals.script_errors[std::string(400, 'y')] = 1;
  const std::string cut = format_final(context_, now_);
  EXPECT_NE(cut.find(std::string(297, 'y') + "..."), std::string::npos) << cut;
  EXPECT_EQ(cut.find(std::string(298, 'y')), std::string::npos) << cut;
}

TEST_F(ReportTest, TlsFailuresShowTheirKindsWithTheFirstMessage) {
  previous_.totals.count_error(Reason::tls_alert, "tls_alert:unknown_ca", "first unknown_ca");
  for (Recorder* r : {&now_.totals}) {
    r->count_error(Reason::tls_alert, "tls_alert:unknown_ca", "first unknown_ca");
    r->count_error(Reason::tls_alert, "tls_alert:unknown_ca", "a later one");
    r->count_error(Reason::tls_alert, "tls_alert:certificate_required", "cert required");
    r->count_error(Reason::tls_verify, "tls_verify", "x: certificate verify failed: expired");
  }
  const std::string status = format_status(context_, now_, previous_);
  const std::string errors = line_starting(status, "errors");
  // A reason counted by name shows its names, not itself.
  EXPECT_NE(errors.find("last 2.0s: refused 2  tls_verify 1  tls_alert:certificate_required 1  "
                        "tls_alert:unknown_ca 1 "),
            std::string::npos)
      << status;
  EXPECT_NE(errors.find("tls_alert:unknown_ca 2"), std::string::npos) << status;
  EXPECT_EQ(errors.find("tls_alert "), std::string::npos) << status;
  const std::string first = line_starting(status, "first errors");
  EXPECT_NE(first.find("2x \"tls_alert:unknown_ca: first unknown_ca\""), std::string::npos)
      << status;
  const std::string final_text = format_final(context_, now_);
  EXPECT_NE(line_starting(final_text, "first errors").find("3 kinds"), std::string::npos)
      << final_text;
  EXPECT_NE(final_text.find("1x tls_verify: x: certificate verify failed: expired"),
            std::string::npos)
      << final_text;
}

TEST_F(ReportTest, TlsRunsShowHandshakesAndTheirLatency) {
  EXPECT_EQ(line_starting(format_status(context_, now_, previous_), "tls"), "");
  context_.tls = true;
  previous_.totals.tls_handshakes = 100;
  previous_.totals.handshake_us.record_n(900, 100);
  now_.totals.tls_handshakes = 300;
  now_.totals.tls_resumed = 150;
  now_.totals.handshake_us.record_n(900, 100);
  now_.totals.handshake_us.record_n(300, 200);
  const std::string status = format_status(context_, now_, previous_);
  EXPECT_EQ(line_starting(status, "tls"),
            "tls           handshakes 300  resumed 150 (50%)  | last 2.0s: handshakes 200  "
            "resumed 75%")
      << status;
  const std::string row = line_starting(status, "  @handshake");
  EXPECT_NE(row.find(" 100   300us"), std::string::npos) << status;  // 200 over 2 s
  const std::string final_text = format_final(context_, now_);
  EXPECT_NE(line_starting(final_text, "  @handshake").find("300"), std::string::npos) << final_text;
}

}  // namespace
}  // namespace swarm::stats
