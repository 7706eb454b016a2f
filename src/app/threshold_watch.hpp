// ThresholdWatch: the run's thresholds (from --threshold and the plan),
// their warmups, their live checks and their final verdicts.
//
// A threshold with `warmup=T` judges only what happens after T: counters
// and latencies since a snapshot taken at T, gauges at the end. Without a
// warmup, the whole run. Live checks (`abort`) use the same window, so a
// threshold that aborts the run would also have failed at that moment had
// the run ended there.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "stats/report.hpp"
#include "stats/threshold.hpp"

namespace swarm::app {

/// A threshold and where it was written.
struct SourcedThreshold {
  stats::Threshold threshold;  // parsed and checked
  std::string source;          // "--threshold" or "plan.yml:12:5"
};

/// The plan's thresholds (sourced `PLAN:LINE:COL`), then the flags' in
/// the order given, each parsed and checked against the plan's commands.
/// Throws std::invalid_argument for a bad flag: `--threshold 'TEXT': column
/// N: what is wrong`.
std::vector<SourcedThreshold> collect_thresholds(const plan::Plan& plan,
                                                 const std::vector<std::string>& flags);

/// What thresholds call each report row: its plan command (`command` for
/// every redis `command ZADD`-style row, as thresholds are checked against
/// the plan), then the hook rows by their names.
std::vector<std::string> threshold_names(const plan::Plan& plan, std::vector<std::string> rows);

class ThresholdWatch {
 public:
  ThresholdWatch(std::vector<SourcedThreshold> thresholds, std::vector<std::string> action_names,
                 std::chrono::steady_clock::time_point started);

  bool empty() const noexcept { return thresholds_.empty(); }
  /// Whether any threshold asks to abort the run when it fails.
  bool has_abort() const noexcept;
  /// The warmups not yet over at `now`, soonest first (for baseline timers).
  std::vector<std::chrono::nanoseconds> pending_warmups() const;

  /// Keeps `snapshot` as the baseline of every warmup that has ended by
  /// its time and has none yet.
  void offer_baseline(const stats::Snapshot& snapshot);
  /// Every threshold judged on `now` (thresholds still warming up are shown
  /// as passing, "warming up").
  std::vector<stats::ThresholdOutcome> judge_live(const stats::Snapshot& now) const;
  /// The first `abort` threshold past its warmup that fails on `now`; it is
  /// remembered as the one that aborted the run.
  std::optional<stats::ThresholdOutcome> check_abort(const stats::Snapshot& now);
  /// The verdicts at the end: counts of `end` (after the stop), gauges of
  /// `at_stop` (just before it).
  std::vector<stats::ThresholdOutcome> judge_final(const stats::Snapshot& end,
                                                   const stats::Recorder& at_stop) const;

 private:
  std::optional<stats::ThresholdOutcome> judge_one(std::size_t index, const stats::Snapshot& now,
                                                   const stats::Recorder& gauges) const;

  std::vector<SourcedThreshold> thresholds_;                       // in the order given
  std::vector<std::string> action_names_;                          // for the counts
  std::chrono::steady_clock::time_point started_;                  // the run's start
  std::map<std::chrono::nanoseconds, stats::Snapshot> baselines_;  // by warmup, once over
  std::optional<stats::ThresholdOutcome> aborted_by_;              // the live failure, if any
  std::optional<std::size_t> aborted_index_;                       // its index
};

}  // namespace swarm::app
