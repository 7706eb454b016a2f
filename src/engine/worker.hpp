// Worker: one thread, its event loop and its share of the connections. It
// shares nothing with other workers: its own module instance (Lua state), its
// random generator and its recorder. Other threads talk to it only by posting
// functions to its loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/connect_pacer.hpp"
#include "engine/engine_config.hpp"
#include "engine/event_loop.hpp"
#include "engine/server_list.hpp"
#include "engine/tls_context.hpp"
#include "plan/plan.hpp"
#include "plan/rng.hpp"
#include "protocol/module.hpp"
#include "stats/recorder.hpp"

namespace swarm::engine {

class Connection;

class Worker {
 public:
  /// Builds the worker and its module instance (throws when the module cannot
  /// be instantiated). The thread starts with start().
  Worker(std::size_t index, const EngineConfig& config, const plan::Plan& plan,
         const protocol::Module& module);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  void start();
  /// Waits until `deadline` for the thread to end after stop(). Returns
  /// false, and leaves the thread running detached, when it does not (a
  /// module stuck in a loop): the Worker must then never be destroyed.
  bool join_until(std::chrono::steady_clock::time_point deadline);

  // Thread-safe: posted to the worker's loop.
  /// Opens `count` more connections.
  void add(std::size_t count);
  /// Closes `count` connections chosen uniformly at random.
  void remove(std::size_t count);
  /// Closes every connection; the thread ends when all are gone.
  void stop();
  /// Server `index` now resolves to `addresses` (posted).
  void set_addresses(std::size_t index, std::vector<SocketAddress> addresses);
  /// Rate mode: each connection calls once per `period` (zero: no rate,
  /// the plan's sleeps). Connections waiting for a due time are re-timed.
  void set_call_period(Clock::duration period);
  /// A copy of the recorder, taken on the worker's thread.
  std::future<stats::Recorder> snapshot();

  // For this worker's connections (loop thread only).
  EventLoop& loop() noexcept { return loop_; }
  stats::Recorder& recorder() noexcept { return recorder_; }
  plan::Rng& rng() noexcept { return rng_; }
  protocol::ModuleInstance& module() noexcept { return *module_; }
  /// The module's handler of pushed messages, or null when it takes none.
  protocol::PushHandler* pushes() noexcept { return pushes_; }
  /// Bytes of module state each open connection keeps (0: none).
  std::size_t module_state_bytes() const noexcept { return module_state_bytes_; }
  /// The row counting on_connect calls, when the module runs that hook.
  std::optional<std::uint32_t> connect_row() const noexcept { return connect_row_; }
  /// The row counting on_idle calls, when the module runs that hook.
  std::optional<std::uint32_t> idle_row() const noexcept { return idle_row_; }
  /// What row `row` counts: its command, or a hook's name.
  const std::string& row_name(std::uint32_t row) const { return rows_[row]; }
  const plan::Plan& plan() const noexcept { return plan_; }
  const EngineConfig& config() const noexcept { return config_; }
  ConnectPacer& pacer() noexcept { return pacer_; }
  /// Rate mode: the time between two calls of one connection; zero when no
  /// rate is set (the plan's sleeps pace the calls).
  Clock::duration call_period() const noexcept { return call_period_; }
  /// The read buffer shared by this worker's connections: a read is parsed
  /// before the next coroutine runs, so one buffer serves them all.
  char* scratch_data() noexcept { return scratch_.get(); }
  /// This worker's TLS setup, or null when the run speaks plain TCP.
  TlsContext* tls() noexcept { return tls_.get(); }
  /// The servers, their addresses and which of them accepted last.
  ServerList& servers() noexcept { return servers_; }
  /// How clients name server `server` to it (Client::server_name()).
  const std::string& server_name(std::size_t server) const noexcept {
    return server_names_[server];
  }
  /// The next source address, round-robin (null: let the kernel choose).
  const SocketAddress* next_source() noexcept;
  /// Tells the user something once (see EngineConfig::on_notice).
  void notice(std::string text) const;
  /// Takes one of this worker's descriptors for a new socket; false when its
  /// share of the open-files budget is used up.
  bool take_socket() noexcept;
  /// Gives back a descriptor taken with take_socket().
  void give_socket() noexcept { --sockets_; }
  /// Called by a connection whose life has ended: frees it.
  void retire(Connection& connection) noexcept;

  static constexpr std::size_t kScratchSize = 64 * 1024;
  /// How often a worker gives back what bursts took (frames, Lua memory).
  static constexpr std::chrono::seconds kUpkeepPeriod{1};

 private:
  void open_one();
  void measure_memory();
  void upkeep();
  void count_owed_calls();
  void close_one(std::size_t index);

  std::size_t index_;                                 // this worker's number
  const EngineConfig& config_;                        // shared, read-only
  const plan::Plan& plan_;                            // shared, read-only
  EventLoop loop_;                                    // this worker's loop
  std::unique_ptr<protocol::ModuleInstance> module_;  // e.g. its Lua state
  protocol::PushHandler* pushes_;                     // module_'s, or null
  std::size_t module_state_bytes_;                    // module_'s state per connection
  std::vector<std::string> rows_;                     // what each recorder row counts
  std::optional<std::uint32_t> connect_row_;          // on_connect's row, if it runs
  std::optional<std::uint32_t> idle_row_;             // on_idle's row, if it runs
  stats::Recorder recorder_;                          // single writer: this thread
  plan::Rng rng_;                                     // this worker's random numbers
  ConnectPacer pacer_;                                // this worker's share of the rate
  Clock::duration call_period_{};                     // rate mode: per connection; zero: off
  std::unique_ptr<char[]> scratch_;                   // the shared read buffer
  std::unique_ptr<TlsContext> tls_;                   // with --tls: SSL_CTX, sessions
  std::size_t socket_budget_;                         // this worker's share of max_sockets
  std::size_t sockets_ = 0;                           // descriptors held by its connections
  std::vector<Connection*> live_;                     // connections not yet aborted
  std::size_t alive_ = 0;                             // connections not yet retired
  std::uint64_t opened_ = 0;                          // connections ever created here
  ServerList servers_;                                // this worker's view of the servers
  std::vector<std::string> server_names_;             // per server: server_name_of()
  std::size_t next_source_ = 0;                       // round-robin position
  bool stopping_ = false;                             // stop() was posted
  std::promise<void> finished_;                       // kept when the thread's loop has ended
  std::thread thread_;                                // runs loop_
};

}  // namespace swarm::engine
