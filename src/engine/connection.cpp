#include "engine/connection.hpp"

#include <sys/epoll.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "engine/address.hpp"
#include "engine/worker.hpp"
#include "plan/range_draw.hpp"

namespace swarm::engine {

using stats::ConnState;
using stats::Reason;

/// Bytes a connection keeps between reads: what the server sent past the
/// reply being read, and a reply being assembled from several reads.
struct Connection::Spill {
  std::string unread;         // received, not yet given to a parser
  std::size_t unread_at = 0;  // first byte of `unread` not yet consumed
  std::string reply;          // the current reply, when it spans reads

  std::string_view pending() const { return std::string_view(unread).substr(unread_at); }
};

/// Suspends the connection's coroutine until wake(); never suspends once the
/// connection is aborting. What it waits for is already in waiting_for_: the
/// awaiter is one pointer, because every co_await keeps its awaiter in the
/// coroutine's frame, and idle connections are mostly frame.
class Connection::WaitAwaiter {
 public:
  explicit WaitAwaiter(Connection& connection) : connection_(connection) {}
  bool await_ready() const noexcept { return connection_.aborting_; }
  void await_suspend(std::coroutine_handle<> handle) noexcept {
    connection_.waiter_ = handle;
    if (connection_.waiting_for_ == Wait::deferred) connection_.loop().defer(handle);
  }
  IoStatus await_resume() const noexcept {
    connection_.waiting_for_ = Wait::none;
    connection_.waiter_ = {};
    return connection_.aborting_ ? IoStatus::aborted : connection_.wake_status_;
  }

 private:
  Connection& connection_;  // the connection that waits
};

Connection::Connection(Worker& worker, std::uint64_t id) : worker_(worker), id_(id) {
  auto& rec = recorder();
  ++rec.in_state[static_cast<std::size_t>(state_)];
  ++rec.entered[static_cast<std::size_t>(state_)];
}

Connection::~Connection() {
  loop().timers().cancel(*this);
}

std::size_t Connection::spill_bytes() const noexcept {
  if (!spill_) return 0;
  return sizeof(Spill) + spill_->unread.capacity() + spill_->reply.capacity();
}

stats::Recorder& Connection::recorder() noexcept {
  return worker_.recorder();
}
EventLoop& Connection::loop() noexcept {
  return worker_.loop();
}

// ---------------------------------------------------------------- the life

Task<void> Connection::live() {
  while (!aborting_) {
    // Wait for this connection's slot of the connect rate, then for a place
    // among the connects in flight. Waiting here, not in connect(), keeps a
    // queue of thousands from holding a connect frame each.
    set_state(ConnState::connecting);
    auto slot = worker_.pacer().reserve(loop().now());
    while (!aborting_ && (slot > loop().now() || !worker_.pacer().try_begin())) {
      if (slot <= loop().now()) slot = loop().now() + ConnectPacer::kRetry;
      co_await pause(slot - loop().now());
    }
    if (aborting_) break;
    if (co_await connect()) {
      End end = co_await run_iterations();
      disconnect();
      if (end == End::aborted) break;
      if (end == End::reconnect) continue;  // close_connection(): at once
    }
    if (aborting_) break;
    // A failure: wait before trying again, longer each time in a row.
    set_state(ConnState::backoff);
    if (co_await pause(next_backoff()) != IoStatus::ok) break;
  }
  disconnect();
  --recorder().in_state[static_cast<std::size_t>(state_)];
  worker_.retire(*this);  // frees this object: touch nothing after
}

std::chrono::nanoseconds Connection::next_backoff() noexcept {
  auto delay = worker_.config().backoff_min * (1u << std::min<std::uint32_t>(failures_, 6));
  delay = std::min(delay, worker_.config().backoff_max);
  ++failures_;
  return std::chrono::nanoseconds(
      static_cast<std::int64_t>(static_cast<double>(delay.count()) * (0.5 + worker_.rng().unit())));
}

Task<bool> Connection::connect() {
  // The caller holds an in-flight place of the pacer; this gives it back.
  auto& rec = recorder();
  ++rec.connect_attempts;
  // Keep descriptors for the console and logs: past the budget, fail like
  // socket() would, before the process runs out.
  int error = EMFILE;
  if (worker_.take_socket()) {
    error = co_await connect_any();
    if (error != 0) worker_.give_socket();
  }
  worker_.pacer().end();
  if (error != 0) {
    socket_.close();
    if (error != ECANCELED) ++rec.errors[static_cast<std::size_t>(connect_failure_reason(error))];
    co_return false;
  }
  ++rec.connects;
  ++rec.open;
  connected_ = true;
  co_return true;
}

Task<int> Connection::connect_any() {
  // The next server, at the address that accepted last; when it fails, the
  // server's other addresses in order. Their errors are kept (a few ints)
  // to tell the user once, not counted: the attempt goes on.
  ServerList& servers = worker_.servers();
  const ServerList::Pick first = servers.next();
  std::array<int, kMaxFallbacks> errors{};
  std::size_t failed = 0;
  for (ServerList::Pick pick = first;;) {
    const int error = co_await connect_to(servers.address(pick));
    if (error == 0) {
      if (servers.accepted(pick) && failed > 0) {
        worker_.notice(fallback_notice(servers, first, errors.data(), failed, pick));
      }
      co_return 0;
    }
    if (error == ECANCELED || error == EMFILE || error == ENFILE) co_return error;
    if (failed < errors.size()) errors[failed++] = error;
    auto following = servers.after_failure(first, pick);
    if (!following || failed == errors.size()) {
      if (failed > 1 && servers.all_failed(pick.server)) {
        worker_.notice(fallback_notice(servers, first, errors.data(), failed, std::nullopt));
      }
      co_return error;
    }
    pick = *following;
  }
}

Task<int> Connection::connect_to(const SocketAddress& address) {
  int error = socket_.open_and_connect(address, worker_.next_source(), worker_.config().sndbuf,
                                       worker_.config().rcvbuf);
  if (error == 0) error = loop().watch(socket_.fd(), this);
  if (error == 0 && !socket_.writable) {
    loop().timers().arm(*this, loop().now() + worker_.config().connect_timeout);
    IoStatus status = co_await wait_for(Wait::writable);
    loop().timers().cancel(*this);
    error = status == IoStatus::ok        ? socket_.connect_result()
            : status == IoStatus::timeout ? ETIMEDOUT
                                          : ECANCELED;
  }
  if (error != 0) socket_.close();
  co_return error;
}

Task<Connection::End> Connection::run_iterations() {
  const auto& actions = worker_.plan().actions;
  auto& rng = worker_.rng();
  for (;;) {
    for (std::uint32_t index = 0; index < actions.size(); ++index) {
      const plan::Action& action = actions[index];
      action_ = index;
      for (auto rounds = plan::draw(action.rounds, rng); rounds > 0; --rounds) {
        End end = co_await call(index);
        if (end == End::restart) goto next_iteration;
        if (end != End::none) co_return end;
        set_state(ConnState::standby);
        if (co_await pause(plan::draw(action.sleep_between_rounds, rng)) != IoStatus::ok) {
          co_return End::aborted;
        }
      }
      set_state(ConnState::standby);
      if (co_await pause(plan::draw(action.sleep_after_action, rng)) != IoStatus::ok) {
        co_return End::aborted;
      }
    }
    ++recorder().iterations;
  next_iteration:;
  }
}

Task<Connection::End> Connection::call(std::uint32_t index) {
  // A coroutine of its own so that the outcome (with its message) lives in a
  // frame only while a command runs, not in the plan loop's idle frame.
  set_state(ConnState::acting);
  ++recorder().actions[index].calls;
  auto outcome = co_await worker_.module().run(index, *this);
  if (outcome.kind == protocol::CommandOutcome::Kind::ok) {
    failures_ = 0;
    co_return End::none;
  }
  End end = end_of(outcome);
  if (outcome.kind != protocol::CommandOutcome::Kind::script_error) co_return end;
  // The stream is in step (no reply is pending): keep the connection, back
  // off, and start the plan again.
  set_state(ConnState::backoff);
  if (co_await pause(worker_.config().backoff_max / 5) != IoStatus::ok) co_return End::aborted;
  co_return End::restart;
}

Connection::End Connection::end_of(const protocol::CommandOutcome& outcome) {
  using Kind = protocol::CommandOutcome::Kind;
  auto& rec = recorder();
  switch (outcome.kind) {
    case Kind::ok:
      return End::none;
    case Kind::closed:
      return aborting_ ? End::aborted : End::reconnect;
    case Kind::script_error: {
      ++rec.errors[static_cast<std::size_t>(Reason::script_error)];
      ++rec.actions[action_].errors;
      auto& seen = rec.script_errors[outcome.message];
      ++seen;
      return End::failed;
    }
    case Kind::io_error:
      break;
  }
  if (outcome.io == IoStatus::aborted || aborting_) return End::aborted;
  ++rec.actions[action_].errors;
  return End::failed;  // the reason was counted where the I/O failed
}

// ---------------------------------------------------------------- waiting

Connection::WaitAwaiter Connection::wait_for(Wait what) noexcept {
  waiting_for_ = what;  // nothing runs between here and the suspension
  return WaitAwaiter(*this);
}

void Connection::wake(IoStatus status) noexcept {
  wake_status_ = status;
  waiter_.resume();  // its await_resume() clears the wait
}

void Connection::on_events(std::uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) socket_.readable = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) socket_.writable = true;
  if ((waiting_for_ == Wait::readable && socket_.readable) ||
      (waiting_for_ == Wait::writable && socket_.writable)) {
    wake(IoStatus::ok);
  }
}

void Connection::on_timer() {
  switch (waiting_for_) {
    case Wait::timer:
      return wake(IoStatus::ok);
    case Wait::readable:
    case Wait::writable:
      return wake(IoStatus::timeout);
    case Wait::none:
    case Wait::deferred:
      return;
  }
}

void Connection::abort() noexcept {
  aborting_ = true;
  if (waiting_for_ == Wait::none || waiting_for_ == Wait::deferred) return;
  // Resume on the next round, not inside the caller (a loop over victims).
  loop().timers().cancel(*this);
  auto handle = waiter_;
  waiter_ = {};
  waiting_for_ = Wait::none;
  loop().defer(handle);
}

Connection::WaitAwaiter Connection::pause(std::chrono::nanoseconds duration) noexcept {
  // Not a coroutine: a sleeping connection should hold no frame for it.
  if (duration <= std::chrono::nanoseconds::zero()) {
    // Let the others run: a plan with no sleeps must not starve the loop.
    return wait_for(Wait::deferred);
  }
  if (!aborting_) loop().timers().arm(*this, loop().now() + duration);
  return wait_for(Wait::timer);
}

// ---------------------------------------------------------------- Client

Task<IoStatus> Connection::sleep(std::chrono::nanoseconds duration) {
  auto previous = state_;
  set_state(ConnState::standby);
  IoStatus status = co_await pause(duration);
  set_state(previous);
  co_return status;
}

void Connection::close_connection() noexcept {
  disconnect();
}

Task<IoStatus> Connection::send_noreply(std::string_view request) {
  ++recorder().requests;
  ++recorder().actions[action_].requests;
  IoStatus status = co_await write_all(request);
  loop().timers().cancel(*this);
  co_return status;
}

Task<Reply> Connection::send_for_reply(std::string_view request, ReplyParser& parser) {
  auto& rec = recorder();
  auto& stats = rec.actions[action_];
  ++rec.requests;
  ++stats.requests;
  const auto started = loop().refresh_now();
  loop().timers().arm(*this, started + worker_.config().timeout);
  IoStatus status = co_await write_all(request);
  Reply reply = status == IoStatus::ok ? co_await read_reply(parser) : Reply{status, {}};
  loop().timers().cancel(*this);
  if (reply.status == IoStatus::ok) {
    ++rec.replies;
    ++stats.replies;
    auto elapsed = loop().refresh_now() - started;
    stats.latency_us.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
  }
  co_return reply;
}

Task<IoStatus> Connection::write_all(std::string_view data) {
  if (!socket_.is_open()) co_return aborting_ ? IoStatus::aborted : IoStatus::closed;
  if (spill_ && spill_->pending().empty()) spill_.reset();  // the last reply is done with
  while (!data.empty()) {
    IoResult sent = socket_.send(data);
    if (sent.error != 0) co_return fail(io_failure_reason(sent.error));
    if (sent.would_block) {
      if (!armed()) {
        loop().timers().arm(*this, loop().now() + worker_.config().timeout);
      }
      IoStatus status = co_await wait_for(Wait::writable);
      if (status != IoStatus::ok)
        co_return status == IoStatus::timeout ? fail(Reason::timeout) : status;
      continue;
    }
    recorder().bytes_out += static_cast<std::uint64_t>(sent.bytes);
    data.remove_prefix(static_cast<std::size_t>(sent.bytes));
  }
  co_return IoStatus::ok;
}

Task<Reply> Connection::read_reply(ReplyParser& parser) {
  parser.begin();
  if (spill_) spill_->reply.clear();
  for (;;) {
    std::string_view data;
    const bool buffered = spill_ && !spill_->pending().empty();
    if (buffered) {
      data = spill_->pending();
    } else {
      if (!socket_.readable) {
        IoStatus status = co_await wait_for(Wait::readable);
        if (status == IoStatus::timeout) co_return Reply{fail(Reason::timeout), {}};
        if (status != IoStatus::ok) co_return Reply{status, {}};
      }
      IoResult got = socket_.receive(worker_.scratch_data(), Worker::kScratchSize);
      if (got.would_block) continue;
      if (got.error != 0) co_return Reply{fail(io_failure_reason(got.error)), {}};
      if (got.bytes == 0) co_return Reply{fail(Reason::closed), {}};
      recorder().bytes_in += static_cast<std::uint64_t>(got.bytes);
      data = std::string_view(worker_.scratch_data(), static_cast<std::size_t>(got.bytes));
    }
    ReplyParser::Step step = parser.feed(data);
    if (step.state == ReplyParser::State::invalid) {
      ++recorder().script_errors[worker_.plan().actions[action_].command +
                                 ": protocol error: " + parser.error()];
      co_return Reply{fail(Reason::protocol_error), {}};
    }
    std::string_view part = data.substr(0, step.consumed);
    std::string_view rest = data.substr(step.consumed);
    if (buffered) {
      spill_->unread_at += step.consumed;
    } else if (!rest.empty()) {
      if (!spill_) spill_ = std::make_unique<Spill>();
      spill_->unread.assign(rest);
      spill_->unread_at = 0;
    }
    const bool assembling = spill_ && !spill_->reply.empty();
    if (step.state == ReplyParser::State::done && !assembling) co_return Reply{IoStatus::ok, part};
    if (!spill_) spill_ = std::make_unique<Spill>();
    spill_->reply.append(part);
    if (step.state == ReplyParser::State::done) co_return Reply{IoStatus::ok, spill_->reply};
  }
}

IoStatus Connection::fail(Reason reason) noexcept {
  ++recorder().errors[static_cast<std::size_t>(reason)];
  switch (reason) {
    case Reason::closed:
      return IoStatus::closed;
    case Reason::timeout:
      return IoStatus::timeout;
    case Reason::protocol_error:
      return IoStatus::protocol_error;
    default:
      return IoStatus::reset;
  }
}

// ---------------------------------------------------------------- helpers

std::string Connection::fallback_notice(const ServerList& servers, ServerList::Pick first,
                                        const int* errors, std::size_t failed,
                                        std::optional<ServerList::Pick> used) {
  const ServerTarget& server = servers.server(first.server);
  std::string text = "server " + server.name + ": ";
  if (!used) text += "no address accepts a connection: ";
  ServerList::Pick pick = first;
  for (std::size_t i = 0; i < failed; ++i) {
    if (i > 0) text += ", ";
    text += to_string(servers.address(pick)) + " (" + std::strerror(errors[i]) + ")";
    if (auto following = servers.after_failure(first, pick)) pick = *following;
  }
  if (used) {
    text += "; using " + to_string(servers.address(*used));
  } else {
    text += "; connections keep trying (with backoff), and the name is resolved again";
  }
  return text;
}

void Connection::disconnect() noexcept {
  socket_.close();
  spill_.reset();
  if (connected_) {
    --recorder().open;
    connected_ = false;
    worker_.give_socket();
    worker_.module().forget_connection(id_);
  }
}

void Connection::set_state(ConnState state) noexcept {
  if (state == state_) return;
  auto& rec = recorder();
  --rec.in_state[static_cast<std::size_t>(state_)];
  ++rec.in_state[static_cast<std::size_t>(state)];
  ++rec.entered[static_cast<std::size_t>(state)];
  state_ = state;
}

}  // namespace swarm::engine
