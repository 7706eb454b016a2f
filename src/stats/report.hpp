// Report: turns snapshots of the merged recorders into text, the live status
// block printed every interval and the final report. Pure functions: no I/O,
// no clock; the caller passes the times.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "stats/rate_history.hpp"
#include "stats/recorder.hpp"
#include "stats/threshold.hpp"

namespace swarm::stats {

/// A worker that did not answer a snapshot in time (stuck in module code):
/// its counts in the snapshot are those of its last answer.
struct SilentWorker {
  std::size_t index = 0;                  // 0-based worker number
  std::chrono::nanoseconds silent_for{};  // since its last answer
  std::uint64_t connections = 0;          // connections it was given
  bool left_behind = false;               // it did not stop at the end of the run
};

/// Every worker's recorder merged, at one moment.
struct Snapshot {
  Recorder totals;                              // all workers' counts, merged
  std::chrono::steady_clock::time_point taken;  // when the copies were taken
  std::vector<SilentWorker> silent;             // workers that did not answer
  std::size_t workers = 0;                      // workers in the run
};

/// What the reports need to know about the run beyond the counts.
struct ReportContext {
  std::vector<std::string> action_names;          // command name per action index
  std::chrono::steady_clock::time_point started;  // when the run began
  std::int64_t target = 0;                        // connections asked for in total
  RateHistory rate;                               // rate mode's target over time (may be empty)
  std::uint64_t console_auth_failures = 0;        // failed `auth` attempts on the console
  bool tls = false;  // connections speak TLS: show handshakes and their latency
};

/// The live status block (about a dozen lines, each ending in '\n'): gauges
/// from `now`, rates and interval latency over [previous.taken, now.taken],
/// totals since the start. Rows of actions sharing a command are merged.
std::string format_status(const ReportContext& context, const Snapshot& now,
                          const Snapshot& previous);

/// The report printed when the run ends: duration, totals, how every
/// request ended, average rates, latency per command and connect time,
/// errors by reason, script error messages and the first message of each
/// kind of error kept with one (TLS failures). `at_stop`, when given, is a
/// snapshot taken just before the stop closed the connections: its gauges
/// (open, states, in flight) are shown.
std::string format_final(const ReportContext& context, const Snapshot& end,
                         const Recorder* at_stop = nullptr);

/// The final report's threshold section: a count line, then one line per
/// threshold with pass/FAIL, the expression, its value and where it was
/// written. Empty when there are none.
std::string format_thresholds(const std::vector<ThresholdOutcome>& outcomes);

/// One status line on the thresholds judged so far ("" when there are
/// none): how many hold, which fail and with what value.
std::string format_threshold_status(const std::vector<ThresholdOutcome>& outcomes);

}  // namespace swarm::stats
