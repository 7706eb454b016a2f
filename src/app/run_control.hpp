// RunControl: what the doors of a run (the console, the HTTP API, the
// reports) ask of whoever runs it: one swarm's Controller over its engine,
// or a fleet's controller over its agents (src/control/). The commands
// come through ConsoleHandler::answer(); the rest is read here.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "console/console_handler.hpp"
#include "stats/interval_record.hpp"
#include "stats/json_report.hpp"
#include "stats/report.hpp"
#include "stats/threshold.hpp"

namespace swarm::app {

/// What the run came to, once it has stopped.
struct RunEnd {
  std::string reason;                               // why it stopped
  stats::Snapshot end;                              // counts after the stop
  stats::Recorder at_stop;                          // gauges just before it
  std::vector<stats::ThresholdOutcome> thresholds;  // the verdicts
  bool clean = true;                                // every worker ended in time
  bool thresholds_failed = false;                   // some threshold failed
};

/// Told of every status interval and of the stop, on the control thread
/// (the HTTP endpoint's feed).
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  /// A status block was just printed for [previous, now].
  virtual void on_interval(const stats::Snapshot& now, const stats::IntervalRecord& record) = 0;
  /// The run is stopping (before the load stops).
  virtual void on_stopping(const std::string& why) = 0;
};

/// A share of a fleet's load, as a controller hands it to one agent (POST
/// /api/target): absolute, so that sending it twice changes nothing.
struct ShareRequest {
  std::optional<std::uint64_t> target;  // connections to hold: opened or closed to reach it
  std::optional<double> rate;           // rate mode: calls per second in all (0: off)
  std::optional<std::chrono::system_clock::time_point> at;  // when, on the wall clock
                                                            // (unset or past: now)
};

class RunControl : public console::ConsoleHandler {
 public:
  /// Counts now (a fleet: as of the last answers of its agents).
  virtual stats::Snapshot snapshot_now() = 0;
  /// Names and start time for the reports.
  virtual const stats::ReportContext& context() const noexcept = 0;
  /// The status period (0: no status blocks).
  virtual std::chrono::nanoseconds interval() const noexcept = 0;
  /// Whether the run is stopping.
  virtual bool stopping() const noexcept = 0;
  /// Connections asked for now.
  virtual std::uint64_t target() const noexcept = 0;
  /// Rate mode's calls per second asked for now (0: off).
  virtual double rate() const noexcept = 0;
  /// The status intervals so far.
  virtual const std::vector<stats::IntervalRecord>& intervals() const noexcept = 0;
  /// The run's outcome (once stopped).
  virtual const RunEnd& result() const noexcept = 0;
  /// Tells `observer` of every interval and of the stop (null: nobody).
  virtual void observe(RunObserver* observer) noexcept = 0;
  /// Takes `share` (at its time, when one is given); the answer says what
  /// was done or scheduled, or what is wrong ("Invalid rate: ...").
  virtual asio::awaitable<std::string> apply_share(ShareRequest share) = 0;
  /// A fleet's agents, for the reports (a single swarm: none).
  virtual std::vector<stats::AgentRecord> agents() const { return {}; }
};

}  // namespace swarm::app
