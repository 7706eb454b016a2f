// Controller: the control thread's side of a run. It answers the console,
// prints the status every interval, and shuts the run down on `stop`, a
// signal or the end of --duration. It touches the engine only through its
// thread-safe API; the load never runs here.
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_timer.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/run_control.hpp"
#include "app/server_resolver.hpp"
#include "app/terminal_line.hpp"
#include "app/threshold_watch.hpp"
#include "console/console_handler.hpp"
#include "console/console_server.hpp"
#include "engine/capacity.hpp"
#include "engine/engine.hpp"
#include "stats/interval_record.hpp"
#include "stats/report.hpp"

namespace swarm::app {

struct ControllerSettings {
  std::chrono::nanoseconds interval;                 // status period; 0 = none
  std::optional<std::chrono::nanoseconds> duration;  // run length, if limited
  engine::Capacity capacity;                         // for incr warnings
  bool keep_intervals = false;                       // keep a record per status (reports)
};

/// What rate mode does at `per_second` over `connections` asked for, in a
/// line: "rate 1000/s: command calls in all, ... (10/s per connection over
/// 100)", or "rate off: ...".
std::string describe_rate(double per_second, std::size_t connections);

class Controller final : public RunControl {
 public:
  Controller(asio::io_context& io, engine::Engine& engine, stats::ReportContext context,
             ControllerSettings settings, ThresholdWatch thresholds, std::FILE* out);

  /// Starts the status timer, the signal handlers and the duration timer.
  /// The console server, when there is one, is attached before.
  void start(console::ConsoleServer* console);
  /// Stops the run: closes the console, stops the engine, prints the final
  /// report and lets io.run() return. Idempotent.
  void shutdown(const std::string& why);
  /// Whether every worker finished cleanly at shutdown.
  bool clean() const noexcept { return result_.clean; }
  /// How long shutdown() waits for the workers to end.
  static constexpr std::chrono::seconds kStopGrace{3};

  // RunControl
  /// The run's outcome (after shutdown).
  const RunEnd& result() const noexcept override { return result_; }
  /// The status intervals recorded (with keep_intervals).
  const std::vector<stats::IntervalRecord>& intervals() const noexcept override {
    return intervals_;
  }
  const stats::ReportContext& context() const noexcept override { return context_; }
  void observe(RunObserver* observer) noexcept override { observer_ = observer; }
  /// Every worker's counts now (a snapshot posted through their loops).
  stats::Snapshot snapshot_now() override { return take_snapshot(); }
  std::chrono::nanoseconds interval() const noexcept override { return settings_.interval; }
  /// Whether shutdown() has begun.
  bool stopping() const noexcept override { return stopping_; }
  std::uint64_t target() const noexcept override { return engine_.target(); }
  double rate() const noexcept override { return engine_.rate(); }
  /// A controller's share for this agent: the target and rate it names,
  /// now or at its wall-clock time (a later share replaces one still
  /// waiting for its time).
  asio::awaitable<std::string> apply_share(ShareRequest share) override;

  /// Keeps `line` clear of the status blocks (null: none).
  void set_terminal_line(TerminalLine* line) noexcept { line_ = line; }
  /// The run's settings.
  const ControllerSettings& settings() const noexcept { return settings_; }

  /// Opens `count` connections now (also used for --connections).
  std::string open(std::uint64_t count);

  // ConsoleHandler
  std::string on_incr(std::uint64_t n) override { return open(n); }
  std::string on_decr(std::uint64_t n) override;
  std::string on_stop() override;
  std::string on_stat() override;
  std::string on_stat_html(const std::string& path) override;
  /// What writes `stat html FILE` (null: the console says it cannot).
  void set_html_writer(std::function<std::string(const std::string& path)> writer) {
    html_writer_ = std::move(writer);
  }

  /// Rate mode (console `rate R`, and any other door): checks `per_second`,
  /// sets it on the engine, notes it for the reports, and says what changed.
  std::string set_rate(double per_second) override;

 private:
  void schedule_status();
  void schedule_judging();
  void schedule_warmup_baseline();
  stats::Snapshot take_snapshot();
  std::string schedule_share(const ShareRequest& share);
  std::string share_now(const ShareRequest& share);
  std::string status_text(const stats::Snapshot& now);
  void print(const std::string& text);

  asio::io_context& io_;                          // the control thread's loop
  engine::Engine& engine_;                        // the load
  stats::ReportContext context_;                  // names and start time for reports
  ControllerSettings settings_;                   // interval, duration, limits
  std::FILE* out_;                                // where status goes (stdout)
  console::ConsoleServer* console_ = nullptr;     // closed at shutdown
  asio::steady_timer status_timer_;               // next status block
  asio::steady_timer duration_timer_;             // end of --duration
  asio::signal_set signals_;                      // SIGINT, SIGTERM, SIGHUP
  ServerResolver resolver_;                       // names again when connects fail
  asio::steady_timer judge_timer_;                // next live check of abort thresholds
  asio::steady_timer warmup_timer_;               // next end of a threshold's warmup
  asio::system_timer share_timer_;                // a controller's share, due at a wall-clock time
  ThresholdWatch thresholds_;                     // the run's thresholds
  stats::Snapshot previous_;                      // last status block's snapshot
  std::vector<stats::IntervalRecord> intervals_;  // one per status block (keep_intervals)
  RunEnd result_;                                 // filled by shutdown()
  RunObserver* observer_ = nullptr;               // the HTTP endpoint's feed, if any
  TerminalLine* line_ = nullptr;                  // the progress line, if any
  std::function<std::string(const std::string&)> html_writer_;  // stat html FILE
  bool stopping_ = false;                                       // shutdown() has begun
};

}  // namespace swarm::app
