// Connection: one TCP connection to the server under test and the coroutine
// that runs the plan on it, forever: connect, run iterations, and when the
// server or the script ends one, reconnect. Its life reads top to bottom in
// live().
//
// Cost matters here (a worker holds hundreds of thousands): the object keeps
// the socket, one timer node, a waiter handle and a few counters. Read buffers
// are the worker's; bytes are kept per connection (spill_) only when a reply
// spans reads or the server sent more than one reply.
#pragma once

#include <coroutine>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/event_loop.hpp"
#include "engine/server_list.hpp"
#include "engine/tcp_socket.hpp"
#include "engine/timer_heap.hpp"
#include "protocol/module.hpp"
#include "stats/recorder.hpp"
#include "swarm/client.hpp"
#include "swarm/task.hpp"

namespace swarm::engine {

class Worker;

class Connection final : public Client, public TimerNode {
 public:
  Connection(Worker& worker, std::uint64_t id);
  ~Connection() override;

  // Connections live in the worker thread's slabs, beside their frames: no
  // malloc header each, and they are freed on the thread that made them.
  static void* operator new(std::size_t size) { return detail::frame_allocate(size); }
  static void operator delete(void* memory, std::size_t size) noexcept {
    detail::frame_deallocate(memory, size);
  }

  /// The connection's whole life; returns (and retires the connection) only
  /// after abort().
  Task<void> live();
  /// Asks the connection to close and end its life (decr, stop). It wakes at
  /// once from any wait.
  void abort() noexcept;

  // Client
  std::uint64_t id() const noexcept override { return id_; }
  Task<Reply> send_for_reply(std::string_view request, ReplyParser& parser) override;
  Task<IoStatus> send_noreply(std::string_view request) override;
  void close_connection() noexcept override;
  Task<IoStatus> sleep(std::chrono::nanoseconds duration) override;

  /// The loop's handlers for this connection's socket and timer node.
  void on_events(std::uint32_t events);
  void on_timer();

  /// Bytes this connection keeps between reads (usually none).
  std::size_t spill_bytes() const noexcept;

 private:
  /// What the suspended coroutine waits for.
  enum class Wait : std::uint8_t { none, readable, writable, timer, deferred };
  /// What a command call or an iteration ended with.
  enum class End : std::uint8_t {
    none,       // the command went well: go on with the plan
    restart,    // a script error: start the plan again on this connection
    aborted,    // abort(): close and end
    reconnect,  // close_connection(): reconnect at once
    failed,     // an I/O failure: reconnect after a backoff
  };
  struct Spill;

  class WaitAwaiter;
  WaitAwaiter wait_for(Wait what) noexcept;
  void wake(IoStatus status) noexcept;

  Task<bool> connect();
  Task<int> connect_any();
  Task<int> connect_to(const SocketAddress& address);
  static std::string fallback_notice(const ServerList& servers, ServerList::Pick first,
                                     const int* errors, std::size_t failed,
                                     std::optional<ServerList::Pick> used);
  /// Addresses of one server tried in one connect attempt, at most.
  static constexpr std::size_t kMaxFallbacks = 8;
  std::chrono::nanoseconds next_backoff() noexcept;
  Task<End> run_iterations();
  Task<End> call(std::uint32_t action);
  WaitAwaiter pause(std::chrono::nanoseconds duration) noexcept;
  Task<IoStatus> write_all(std::string_view data);
  Task<Reply> read_reply(ReplyParser& parser);
  End end_of(const protocol::CommandOutcome& outcome);
  IoStatus fail(stats::Reason reason) noexcept;
  void disconnect() noexcept;
  void set_state(stats::ConnState state) noexcept;
  stats::Recorder& recorder() noexcept;
  EventLoop& loop() noexcept;

  Worker& worker_;                                         // owner: loop, plan, module, stats
  std::uint64_t id_;                                       // unique in the run
  TcpSocket socket_;                                       // the current TCP connection
  std::coroutine_handle<> waiter_;                         // the suspended coroutine, if waiting
  std::unique_ptr<Spill> spill_;                           // bytes kept across reads, rarely
  std::uint32_t failures_ = 0;                             // failures since the last good command
  std::uint32_t action_ = 0;                               // plan action running, for stats
  IoStatus wake_status_ = IoStatus::ok;                    // why the waiter was woken
  Wait waiting_for_ = Wait::none;                          // what the waiter waits for
  stats::ConnState state_ = stats::ConnState::connecting;  // for the gauges
  bool aborting_ = false;                                  // abort() was called
  bool connected_ = false;                                 // counted in Recorder::open
};

}  // namespace swarm::engine
