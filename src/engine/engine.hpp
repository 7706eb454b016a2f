// Engine: the workers and the only door into them. Used from the control
// thread (console, reporter, signals); it never touches a socket itself.
#pragma once

#include <chrono>
#include <cstddef>
#include <future>
#include <memory>
#include <vector>

#include "engine/engine_config.hpp"
#include "plan/plan.hpp"
#include "plan/rng.hpp"
#include "protocol/module.hpp"
#include "stats/recorder.hpp"
#include "stats/report.hpp"

namespace swarm::engine {

class Worker;

class Engine {
 public:
  /// Builds one worker per config.threads, each with its own module instance.
  /// Throws std::runtime_error when an instance cannot be made.
  Engine(EngineConfig config, const plan::Plan& plan, const protocol::Module& module);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Starts the worker threads.
  void start();
  /// Opens `count` more connections, spread so the workers stay even.
  void incr(std::size_t count);
  /// Closes `count` connections chosen uniformly at random among all (fewer
  /// if fewer are open). Returns how many will close.
  std::size_t decr(std::size_t count);
  /// Rate mode: `per_second` command calls, all connections together, each
  /// connection calling at fixed due times (CallSchedule); 0 switches it off
  /// (the plan's sleeps pace the calls). The per-connection period follows
  /// the connections asked for, so incr and decr keep the total. Clamped to
  /// [plan::kMinRate, plan::kMaxRate] (check with plan::rate_problem first).
  void set_rate(double per_second);
  /// The rate asked for (0: off).
  double rate() const noexcept { return rate_; }
  /// Rate mode: the time between two calls of one connection (zero when
  /// off or no connection is asked for).
  std::chrono::nanoseconds call_period() const noexcept { return call_period_; }

  /// Server `index` (of config().servers) now resolves to `addresses`.
  void set_server_addresses(std::size_t index, const std::vector<SocketAddress>& addresses);
  /// Connections asked for and not yet closed by decr.
  std::size_t target() const noexcept { return total_; }
  /// The workers' recorders merged; a worker that does not answer within
  /// `patience` (no wait at all when it was silent the time before) is left
  /// out, its last answer used, and named by silent_workers().
  stats::Recorder snapshot(std::chrono::milliseconds patience = std::chrono::seconds(2));
  /// The workers that did not answer the last snapshot, or did not stop.
  const std::vector<stats::SilentWorker>& silent_workers() const noexcept { return silent_; }
  /// Number of workers.
  std::size_t workers() const noexcept { return targets_.size(); }
  /// Closes every connection and ends the workers. Returns false when some
  /// worker did not finish within `grace` (its thread is then left behind).
  bool stop(std::chrono::milliseconds grace);

  const EngineConfig& config() const noexcept { return config_; }

 private:
  EngineConfig config_;                                          // the run's settings
  std::vector<std::unique_ptr<Worker>> workers_;                 // one per thread
  std::vector<std::size_t> targets_;                             // connections per worker
  std::vector<stats::Recorder> last_;                            // last snapshot per worker
  std::vector<std::future<stats::Recorder>> pending_;            // snapshot asked, not yet answered
  std::vector<std::chrono::steady_clock::time_point> answered_;  // last answer per worker
  std::vector<stats::SilentWorker> silent_;  // as of the last snapshot or stop()
  std::size_t total_ = 0;                    // sum of targets_
  double rate_ = 0;                          // rate mode: calls per second; 0 = off
  std::chrono::nanoseconds call_period_{};   // per connection, as last posted
  plan::Rng rng_;                            // control thread's choices
  bool stopped_ = false;                     // stop() has run
  bool joined_ = false;                      // every worker thread ended

  /// Posts the per-connection period for rate_ and total_ when it changed.
  void post_call_period();
};

}  // namespace swarm::engine
