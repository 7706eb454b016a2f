// Connection: one TCP connection to the server under test, forever: connect,
// run the plan on it (plan_runner), disconnect, back off after a failure,
// reconnect. Its life reads top to bottom in live(). It also offers the I/O
// a command's Client performs (command_client): writes, and reads of one
// reply through its ReplyReader.
//
// Cost matters here (a worker holds hundreds of thousands): the object keeps
// the transport, one timer node, a waiter handle, the module's state pointer,
// the rate mode's next due time and a few counters, 88 B.
// Read buffers are the worker's; the reader keeps bytes per connection only
// when a reply spans reads or the server sent more than one reply.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/call_schedule.hpp"
#include "engine/event_loop.hpp"
#include "engine/reply_reader.hpp"
#include "engine/server_list.hpp"
#include "engine/timer_heap.hpp"
#include "engine/transport.hpp"
#include "stats/recorder.hpp"
#include "swarm/client.hpp"
#include "swarm/task.hpp"

namespace swarm::engine {

class Worker;

class Connection final : public TimerNode {
 public:
  class WaitAwaiter;

  Connection(Worker& worker, std::uint64_t id);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

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

  // For the plan runner and the command client (the worker's thread).
  std::uint64_t id() const noexcept { return id_; }
  Worker& worker() noexcept { return worker_; }
  stats::Recorder& recorder() noexcept;
  bool aborting() const noexcept { return aborting_; }
  stats::ConnState state() const noexcept { return state_; }
  void set_state(stats::ConnState state) noexcept;
  /// A command went well: the next failure backs off from the shortest wait.
  void reset_backoff() noexcept { failures_ = 0; }
  /// Counts a failure under `reason`; the first one of an open TCP
  /// connection is also why it ends (Recorder::ended).
  void count_failure(stats::Reason reason) noexcept;
  /// The first failure of an open connection names how it ends.
  void note_end(stats::Reason reason) noexcept;
  /// Sleeps for `duration` (0: lets the other connections run first), or
  /// until abort(). Not a coroutine: a sleeping connection holds no frame
  /// for it.
  WaitAwaiter pause(std::chrono::nanoseconds duration) noexcept;
  /// A sleep of the plan's: as pause(), but a change of the rate mode cuts
  /// it short (rate mode does without the plan's sleeps).
  WaitAwaiter pause_plan(std::chrono::nanoseconds duration) noexcept;

  /// An awaiter that does not wait (unless aborting).
  WaitAwaiter no_wait() noexcept;

  // Rate mode (see CallSchedule).
  /// Waits until the next call is due (drawing the phase if the schedule
  /// starts), or not at all when it is due already. A change of the rate
  /// moves the wake-up, or ends the wait at once when rate mode is switched
  /// off.
  WaitAwaiter wait_due() noexcept;
  /// The call due now is being made: returns its due time, and the schedule
  /// moves on. The epoch when no rate is set.
  Clock::time_point take_due() noexcept;
  /// Forgets the schedule (after a backoff: time spent backing off is not
  /// owed as a backlog of calls).
  void reset_schedule() noexcept { schedule_.reset(); }
  /// The worker's call period changed from `before` to `after` (zero: no
  /// rate): re-times the schedule and any wait for a due time.
  void on_period_change(Clock::duration before, Clock::duration after) noexcept;
  /// Rate mode: calls due by `now` and not yet made (its backlog).
  std::uint64_t owed_calls(Clock::time_point now, Clock::duration period) const noexcept {
    return schedule_.owed(now, period);
  }

  /// Ends waits for I/O with a timeout --timeout after `from` (none when
  /// --timeout is 0).
  void arm_reply_timeout(Clock::time_point from);
  /// Lifts the deadline.
  void cancel_timeout() noexcept;
  /// Sends all of `data`. A deadline of --timeout is armed if none is.
  Task<IoStatus> write(std::string_view data);
  /// Reads one reply as framed by `parser`; the bytes stay valid until the
  /// next write(). A deadline of --timeout is armed if none is.
  /// `arrived_ns` becomes the kernel's receive stamp of the last read's
  /// bytes (0 when the reply came from bytes read before). With `divert`,
  /// messages the module's push handler calls pushes are taken out first;
  /// without, the next message is the reply (Client::receive()).
  Task<Reply> read_reply(ReplyParser& parser, std::int64_t& arrived_ns, bool divert = true);
  /// Sends what the socket takes now; keeps the rest to go first with the
  /// next write (or when the socket can take it). Never waits.
  IoStatus send_now(std::string_view bytes);
  /// Closes the TCP connection (close_connection(), the end of a life).
  void disconnect() noexcept;
  /// A command is over: the bytes kept for its replies are given back.
  void end_command() noexcept { reader_.shrink(); }
  /// Whether the TCP connection ended between commands (the server closed
  /// or reset it while the plan slept, a close the protocol heard, a stream
  /// it could not follow), counted where it was found: the plan stops
  /// sleeping on it and reconnects after a backoff, without a command.
  bool stream_ended() const noexcept { return connected_ && !transport_.is_open(); }

  /// The loop's handlers for this connection's socket and timer node.
  void on_events(std::uint32_t events);
  void on_timer();

  /// Bytes this connection keeps between reads (usually none), and the
  /// module's state for it.
  std::size_t spill_bytes() const noexcept;

  /// The module's memory for this connection (null when it asked for none,
  /// or the connection is not open).
  void* module_state() noexcept { return module_state_; }
  /// How a client names the server this connection reached (an HTTP Host).
  std::string_view server_name() const noexcept;
  /// A random number from the worker's generator.
  std::uint64_t random() noexcept;
  /// Counts a message the server sent unasked (see Client::count_received).
  void count_received(std::string_view topic, std::int64_t sent_unix_ns);
  /// The protocol ends the connection (Client::end_connection): counts a
  /// failure of `kind` ("closed:ws_1011") with its message and closes the
  /// TCP connection; the next I/O finds it closed.
  void end_by_protocol(std::string_view kind, std::string_view message) noexcept;

 private:
  /// What the suspended coroutine waits for.
  enum class Wait : std::uint8_t {
    none,
    readable,
    writable,
    timer,     // a sleep (backoff, connect slot, the module's sleep)
    plan,      // a sleep of the plan, or a wait for a call's due time (rate mode)
    deferred,  // the next round of the loop, between commands
    turn,      // the same in the middle of reading a reply (the reply timeout
               // stays armed, and nothing else reads)
  };

  /// Reads a connection makes in a row before it lets the others run: a
  /// server that keeps sending (256 KiB a turn with the 64 KiB read buffer)
  /// never delays other connections, timers, the status or `stop`.
  static constexpr std::uint32_t kReadsPerTurn = 4;

  WaitAwaiter wait_for(Wait what) noexcept;
  WaitAwaiter wait_io(Want want);
  /// Arms the timer `limit` from now; does nothing when `limit` is 0 (none).
  void arm_limit(std::chrono::nanoseconds limit);
  void wake(IoStatus status) noexcept;

  Task<bool> connect();
  Task<int> connect_any(std::uint32_t& server);
  Task<int> connect_to(const SocketAddress& address);
  Task<int> handshake(std::uint32_t server);
  void count_tls_handshake(Clock::duration took) noexcept;
  static std::string fallback_notice(const ServerList& servers, ServerList::Pick first,
                                     const int* errors, std::size_t failed,
                                     std::optional<ServerList::Pick> used);
  /// Addresses of one server tried in one connect attempt, at most.
  static constexpr std::size_t kMaxFallbacks = 8;
  /// A connect wait's outcome as an errno value (0 when it went well).
  static int wait_error(IoStatus status) noexcept;
  std::chrono::nanoseconds next_backoff() noexcept;
  IoStatus failed_wait(IoStatus status) noexcept;
  IoStatus fail(stats::Reason reason) noexcept;
  /// Counts a failed read or write (an errno value, or kTlsFailure).
  IoStatus fail_io(int error) noexcept;
  void take_pushes() noexcept;
  /// Asleep in the plan: ends the connection the server closed or reset
  /// (counted `closed` or by its error) and wakes the plan, at once rather
  /// than at the next command, which may be minutes away.
  void notice_server_close() noexcept;
  /// Whether the bytes held for the reply being read (or for pushes)
  /// passed --max-reply.
  bool over_limit(std::size_t held) const noexcept;
  /// Between commands: counts `reason` and closes the TCP connection; the
  /// next command finds it closed.
  void drop_stream(stats::Reason reason) noexcept;
  /// Sends unsent bytes while the socket takes them; false after a failure.
  bool flush_unsent() noexcept;
  void open_module_state();
  EventLoop& loop() noexcept;

  Worker& worker_;                                         // owner: loop, plan, module, stats
  std::uint64_t id_;                                       // unique in the run
  Transport transport_;                                    // the current TCP connection
  std::coroutine_handle<> waiter_;                         // the suspended coroutine, if waiting
  ReplyReader reader_;                                     // bytes kept across reads, rarely
  CallSchedule schedule_;                                  // rate mode: the next call's due time
  void* module_state_ = nullptr;                           // the module's, while connected
  std::uint32_t failures_ = 0;                             // failures since the last good command
  std::uint16_t server_ = 0;                               // the --server it reached (its index)
  IoStatus wake_status_ = IoStatus::ok;                    // why the waiter was woken
  Wait waiting_for_ = Wait::none;                          // what the waiter waits for
  stats::ConnState state_ = stats::ConnState::connecting;  // for the gauges
  bool aborting_ = false;                                  // abort() was called
  bool connected_ = false;                                 // counted in Recorder::open
  bool failed_ = false;                                    // a failure ends this TCP connection
  stats::Reason end_reason_ = stats::Reason::other;        // with failed_: its reason
};

/// Suspends the connection's coroutine until it is woken; never suspends
/// once the connection is aborting, nor when there is nothing to wait for. What it waits for is
/// already noted in the connection: the awaiter is one pointer, because every co_await keeps its
/// awaiter in the coroutine's frame, and idle connections are mostly frame.
class Connection::WaitAwaiter {
 public:
  explicit WaitAwaiter(Connection& connection) noexcept : connection_(connection) {}
  bool await_ready() const noexcept {
    return connection_.aborting_ || connection_.waiting_for_ == Wait::none;
  }
  void await_suspend(std::coroutine_handle<> handle) noexcept;
  IoStatus await_resume() const noexcept {
    connection_.waiting_for_ = Wait::none;
    connection_.waiter_ = {};
    return connection_.aborting_ ? IoStatus::aborted : connection_.wake_status_;
  }

 private:
  Connection& connection_;  // the connection that waits
};

}  // namespace swarm::engine
