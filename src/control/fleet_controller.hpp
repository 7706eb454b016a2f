// FleetController: `swarm control`'s side of a run, the fleet's Controller.
// It waits for the expected agents, checks they run one plan, starts them
// together at one wall-clock instant, asks each for its snapshot every
// interval and prints the merged status with a line per agent, splits every
// incr / decr / rate over the members exactly (shares.hpp) and again when
// one joins or leaves, and at the end drains the agents, takes their final
// counts, stops them and prints the fleet's final report. Everything runs
// on the control thread's io_context: coroutines, no locks.
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/run_control.hpp"
#include "app/threshold_watch.hpp"
#include "console/console_server.hpp"
#include "control/agent_client.hpp"
#include "control/agent_list.hpp"
#include "control/async_tools.hpp"
#include "control/fleet.hpp"

namespace swarm::control {

/// How the fleet runs.
struct FleetSettings {
  std::vector<AgentSource> sources;                  // --agents
  std::size_t expect = 1;                            // agents to wait for before the start
  std::chrono::nanoseconds expect_timeout{};         // then give up (0: never)
  std::uint64_t connections = 0;                     // --connections, the fleet's
  std::optional<double> rate;                        // --rate, the fleet's (unset: the plan's)
  std::optional<std::chrono::nanoseconds> duration;  // stop after this long
  std::chrono::nanoseconds interval{};               // status and pull period
  std::chrono::nanoseconds start_delay{};            // the start instant is this far ahead
  bool keep_agents = false;                          // leave them running at the end
  AgentAccess access;                                // token and per-call timeout
  std::vector<std::string> thresholds;               // --threshold flags
};

/// Told once the agents are gathered and checked: the plan's text, module
/// and digest from one of them (for the report and /api/config).
using OnGathered = std::function<void(const std::string& config_json)>;

class FleetController final : public app::RunControl {
 public:
  FleetController(asio::io_context& io, FleetSettings settings, std::FILE* out);

  /// Starts the work (the console and --http are attached before).
  void start(console::ConsoleServer* console, OnGathered on_gathered);
  /// Stops the fleet (drains and stops the agents, prints the final
  /// report) and then lets io.run() return. Idempotent.
  void shutdown(const std::string& why);
  /// Set when the run could not start (exit status 2): why.
  const std::optional<std::string>& setup_failure() const noexcept { return setup_failure_; }
  /// The agents.
  const Fleet& fleet() const noexcept { return fleet_; }
  /// Whether the agents were started (a run stopped while waiting has
  /// nothing to report).
  bool started() const noexcept { return started_; }

  // RunControl
  stats::Snapshot snapshot_now() override { return latest_; }
  const stats::ReportContext& context() const noexcept override { return context_; }
  std::chrono::nanoseconds interval() const noexcept override { return settings_.interval; }
  bool stopping() const noexcept override { return stopping_; }
  std::uint64_t target() const noexcept override { return target_; }
  double rate() const noexcept override { return rate_; }
  const std::vector<stats::IntervalRecord>& intervals() const noexcept override {
    return intervals_;
  }
  const app::RunEnd& result() const noexcept override { return result_; }
  void observe(app::RunObserver* observer) noexcept override { observer_ = observer; }
  asio::awaitable<std::string> apply_share(app::ShareRequest share) override;
  std::vector<stats::AgentRecord> agents() const override;

  // ConsoleHandler: the synchronous calls are never used (answer() is).
  std::string on_incr(std::uint64_t) override { return ""; }
  std::string on_decr(std::uint64_t) override { return ""; }
  std::string on_stop() override;
  std::string on_stat() override;
  std::string on_stat_html(const std::string& path) override;
  std::string set_rate(double) override { return ""; }
  asio::awaitable<std::string> answer(console::ConsoleCommand command) override;
  /// What writes `stat html FILE` (null: the console says it cannot).
  void set_html_writer(std::function<std::string(const std::string& path)> writer) {
    html_writer_ = std::move(writer);
  }

 private:
  // fleet_lifecycle.cpp: gathering, the start, the intervals, the end.
  asio::awaitable<void> run();
  asio::awaitable<void> intervals();
  asio::awaitable<bool> gather();
  asio::awaitable<bool> check_plans();
  asio::awaitable<bool> read_plan(const Agent& agent);
  void fail(std::string why);
  asio::awaitable<void> begin();
  void announce_start(std::chrono::system_clock::time_point at);
  asio::awaitable<void> poll();
  asio::awaitable<void> pull_all(std::vector<Agent*> agents, bool interval = true);
  asio::awaitable<void> pull(Agent& agent, bool interval);
  void status_block();
  asio::awaitable<void> finish(std::string why);
  asio::awaitable<void> drain();
  void report_end();

  // fleet_controller.cpp: commands and shares.
  asio::awaitable<std::string> set_target(std::uint64_t target, const char* what);
  asio::awaitable<std::string> change_rate(double per_second);
  asio::awaitable<std::string> push_shares(std::optional<double> at_unix);
  asio::awaitable<void> push_one(Agent& agent, AgentShare share, std::string& report);
  asio::awaitable<void> resend_unsent();
  void merge_now();
  std::string not_ready() const;
  void print(const std::string& text);
  void tell(const std::vector<std::string>& news);

  asio::io_context& io_;                           // the control thread's loop
  FleetSettings settings_;                         // how the fleet runs
  std::FILE* out_;                                 // where status goes (stdout)
  Fleet fleet_;                                    // the agents
  stats::ReportContext context_;                   // names, start, target, rate history
  std::optional<app::ThresholdWatch> thresholds_;  // once the plan is known
  stats::Snapshot latest_;                         // the fleet merged, as of the last answers
  stats::Snapshot previous_;                       // at the last status block
  std::vector<stats::IntervalRecord> intervals_;   // one per status block
  app::RunEnd result_;                             // filled at the end
  app::RunObserver* observer_ = nullptr;           // the HTTP endpoint's feed
  console::ConsoleServer* console_ = nullptr;      // closed at the end
  asio::steady_timer tick_;                        // the next interval
  asio::steady_timer duration_timer_;              // end of --duration
  asio::signal_set signals_;                       // SIGINT, SIGTERM, SIGHUP
  TurnLock turns_;                                 // commands that move shares, one at a time
  std::function<std::string(const std::string&)> html_writer_;  // stat html FILE
  OnGathered on_gathered_;                                      // told once the agents are checked
  std::vector<app::SourcedThreshold> threshold_list_;           // the plan's and --threshold's
  std::vector<std::string> threshold_rows_;    // what thresholds call each report row
  std::vector<std::string> resolve_problems_;  // what the last resolution could not find
  std::optional<std::string> setup_failure_;   // the run could not start
  std::uint64_t target_ = 0;                   // the fleet's connections asked for
  double rate_ = 0;                            // the fleet's calls per second (0: off)
  Clock::time_point created_;                  // when the controller began waiting
  bool started_ = false;                       // the agents were started
  bool stopping_ = false;                      // shutdown() has begun
};

}  // namespace swarm::control
