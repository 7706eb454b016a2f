// Controller: the control thread's side of a run. It answers the console,
// prints the status every interval, and shuts the run down on `stop`, a
// signal or the end of --duration. It touches the engine only through its
// thread-safe API; the load never runs here.
#pragma once

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "app/server_resolver.hpp"
#include "console/console_handler.hpp"
#include "console/console_server.hpp"
#include "engine/capacity.hpp"
#include "engine/engine.hpp"
#include "stats/report.hpp"

namespace swarm::app {

struct ControllerSettings {
  std::chrono::nanoseconds interval;                 // status period
  std::optional<std::chrono::nanoseconds> duration;  // run length, if limited
  engine::Capacity capacity;                         // for incr warnings
};

class Controller final : public console::ConsoleHandler {
 public:
  Controller(asio::io_context& io, engine::Engine& engine, stats::ReportContext context,
             ControllerSettings settings, std::FILE* out);

  /// Starts the status timer, the signal handlers and the duration timer.
  /// The console server, when there is one, is attached before.
  void start(console::ConsoleServer* console);
  /// Stops the run: closes the console, stops the engine, prints the final
  /// report and lets io.run() return. Idempotent.
  void shutdown(const std::string& why);
  /// Whether every worker finished cleanly at shutdown.
  bool clean() const noexcept { return clean_; }

  /// Opens `count` connections now (also used for --connections).
  std::string open(std::uint64_t count);

  // ConsoleHandler
  std::string on_incr(std::uint64_t n) override { return open(n); }
  std::string on_decr(std::uint64_t n) override;
  std::string on_stop() override;
  std::string on_stat() override;

 private:
  void schedule_status();
  stats::Snapshot take_snapshot();

  asio::io_context& io_;                       // the control thread's loop
  engine::Engine& engine_;                     // the load
  stats::ReportContext context_;               // names and start time for reports
  ControllerSettings settings_;                // interval, duration, limits
  std::FILE* out_;                             // where status goes (stdout)
  console::ConsoleServer* console_ = nullptr;  // closed at shutdown
  asio::steady_timer status_timer_;            // next status block
  asio::steady_timer duration_timer_;          // end of --duration
  asio::signal_set signals_;                   // SIGINT, SIGTERM
  ServerResolver resolver_;                    // names again when connects fail
  stats::Snapshot previous_;                   // last status block's snapshot
  bool stopping_ = false;                      // shutdown() has begun
  bool clean_ = true;                          // workers all ended in time
};

}  // namespace swarm::app
