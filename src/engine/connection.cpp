#include "engine/connection.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "engine/address.hpp"
#include "engine/plan_runner.hpp"
#include "engine/push_bridge.hpp"
#include "engine/worker.hpp"

namespace swarm::engine {

using stats::ConnState;
using stats::Reason;

Connection::Connection(Worker& worker, std::uint64_t id) : worker_(worker), id_(id) {
  auto& rec = recorder();
  ++rec.in_state[static_cast<std::size_t>(state_)];
  ++rec.entered[static_cast<std::size_t>(state_)];
}

Connection::~Connection() {
  loop().timers().cancel(*this);
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
      PlanEnd end = co_await run_plan(*this);
      disconnect();
      if (end == PlanEnd::aborted) break;
      if (end == PlanEnd::reconnect) continue;  // close_connection(): at once
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
    std::uint32_t server = 0;
    error = co_await connect_any(server);
    if (error == 0) error = co_await handshake(server);
    if (error != 0) worker_.give_socket();
  }
  worker_.pacer().end();
  if (error != 0) {
    transport_.close();
    if (error == kTlsFailure) {
      worker_.tls()->count_failure(rec);
    } else if (error != ECANCELED) {
      ++rec.errors[static_cast<std::size_t>(connect_failure_reason(error))];
    }
    co_return false;
  }
  ++rec.connects;
  ++rec.open;
  connected_ = true;
  co_return true;
}

Task<int> Connection::connect_any(std::uint32_t& server) {
  // The next server, at the address that accepted last; when it fails, the
  // server's other addresses in order. Their errors are kept (a few ints)
  // to tell the user once, not counted: the attempt goes on.
  ServerList& servers = worker_.servers();
  const ServerList::Pick first = servers.next();
  std::array<int, kMaxFallbacks> errors{};
  std::size_t failed = 0;
  for (ServerList::Pick pick = first;;) {
    server = pick.server;
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
  const auto started = loop().refresh_now();
  int error = transport_.open(address, worker_.next_source(), worker_.config().sndbuf,
                              worker_.config().rcvbuf);
  if (error == 0) error = loop().watch(transport_.fd(), this);
  if (error == 0 && !transport_.ready(Want::write)) {
    loop().timers().arm(*this, loop().now() + worker_.config().connect_timeout);
    error = wait_error(co_await wait_for(Wait::writable));
    loop().timers().cancel(*this);
    if (error == 0) error = transport_.connect_result();
  }
  if (error != 0) {
    transport_.close();
    co_return error;
  }
  // Connect time: connect() called to established (SYN, SYN-ACK, ACK).
  const auto connect_time = loop().refresh_now() - started;
  recorder().count_handshake(
      static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(connect_time).count()),
      transport_.syn_retransmitted(connect_time));
  co_return 0;
}

Task<int> Connection::handshake(std::uint32_t server) {
  // TLS, when the run has it, over the TCP connection just made. It gets a
  // connect timeout of its own: a server that accepts and never answers the
  // ClientHello counts as connect_timeout.
  TlsContext* tls = worker_.tls();
  if (tls == nullptr) co_return 0;
  const auto started = loop().refresh_now();
  if (const int error = transport_.start_tls(*tls, server); error != 0) co_return error;
  for (;;) {
    IoResult step = transport_.handshake();
    if (step.error != 0 || step.want == Want::none) {
      loop().timers().cancel(*this);
      if (step.error == 0) count_tls_handshake(loop().refresh_now() - started);
      co_return step.error;
    }
    if (transport_.ready(step.want)) continue;
    if (!armed()) loop().timers().arm(*this, loop().now() + worker_.config().connect_timeout);
    const int error =
        wait_error(co_await wait_for(step.want == Want::read ? Wait::readable : Wait::writable));
    if (error != 0) co_return error;  // the timer fired, or abort() cancelled it
  }
}

void Connection::count_tls_handshake(Clock::duration took) noexcept {
  auto& rec = recorder();
  ++rec.tls_handshakes;
  if (transport_.resumed()) ++rec.tls_resumed;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
  rec.handshake_us.record(static_cast<std::uint64_t>(std::max<std::int64_t>(us, 0)));
}

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

int Connection::wait_error(IoStatus status) noexcept {
  return status == IoStatus::ok ? 0 : status == IoStatus::timeout ? ETIMEDOUT : ECANCELED;
}

void Connection::disconnect() noexcept {
  transport_.close();
  reader_.clear();
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

// ---------------------------------------------------------------- waiting

void Connection::WaitAwaiter::await_suspend(std::coroutine_handle<> handle) noexcept {
  connection_.waiter_ = handle;
  if (connection_.waiting_for_ == Wait::deferred) connection_.loop().defer(handle);
}

Connection::WaitAwaiter Connection::wait_for(Wait what) noexcept {
  waiting_for_ = what;  // nothing runs between here and the suspension
  return WaitAwaiter(*this);
}

void Connection::wake(IoStatus status) noexcept {
  wake_status_ = status;
  waiter_.resume();  // its await_resume() clears the wait
}

Connection::WaitAwaiter Connection::pause(std::chrono::nanoseconds duration) noexcept {
  // What the server pushed meanwhile is taken now: nobody reads while the
  // connection sleeps, except on_events().
  if (connected_) take_pushes();
  if (duration <= std::chrono::nanoseconds::zero()) {
    // Let the others run: a plan with no sleeps must not starve the loop.
    return wait_for(Wait::deferred);
  }
  if (!aborting_) loop().timers().arm(*this, loop().now() + duration);
  return wait_for(Wait::timer);
}

void Connection::on_events(std::uint32_t events) {
  transport_.on_events(events);
  switch (waiting_for_) {
    case Wait::readable:
      if (transport_.ready(Want::read)) wake(IoStatus::ok);
      return;
    case Wait::writable:
      if (transport_.ready(Want::write)) wake(IoStatus::ok);
      return;
    case Wait::timer:
    case Wait::deferred:
      // Sleeping between commands: what arrives now was pushed.
      if (connected_) take_pushes();
      return;
    case Wait::none:
      return;
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

// ---------------------------------------------------------------- I/O

void Connection::arm_timeout(Clock::time_point deadline) {
  loop().timers().arm(*this, deadline);
}

void Connection::cancel_timeout() noexcept {
  loop().timers().cancel(*this);
}

Connection::WaitAwaiter Connection::wait_io(Want want) {
  if (!armed()) arm_timeout(loop().now() + worker_.config().timeout);
  return wait_for(want == Want::read ? Wait::readable : Wait::writable);
}

Task<IoStatus> Connection::write(std::string_view data) {
  if (!transport_.is_open()) co_return aborting_ ? IoStatus::aborted : IoStatus::closed;
  reader_.release_if_empty();  // the last reply is done with
  while (!data.empty()) {
    IoResult sent = transport_.send(data);
    if (sent.error != 0) co_return fail_io(sent.error);
    if (sent.want != Want::none) {
      IoStatus status = co_await wait_io(sent.want);
      if (status != IoStatus::ok) co_return failed_wait(status);
      continue;
    }
    recorder().bytes_out += static_cast<std::uint64_t>(sent.bytes);
    data.remove_prefix(static_cast<std::size_t>(sent.bytes));
  }
  co_return IoStatus::ok;
}

Task<Reply> Connection::read_reply(ReplyParser& parser, std::int64_t& arrived_ns) {
  PushBridge bridge(worker_.pushes(), id_);
  PushSink* pushes = bridge.active() ? &bridge : nullptr;
  ReplyReader::Step step = reader_.begin(parser, pushes);
  for (Want want = Want::read; step.state == ReplyParser::State::need_more;) {
    if (!transport_.ready(want)) {
      IoStatus status = co_await wait_io(want);
      if (status != IoStatus::ok) co_return Reply{failed_wait(status), {}};
    }
    IoResult got = transport_.receive(worker_.scratch_data(), Worker::kScratchSize);
    want = got.want == Want::none ? Want::read : got.want;
    if (got.want != Want::none) continue;
    if (got.error != 0) co_return Reply{fail_io(got.error), {}};
    if (got.bytes == 0) co_return Reply{fail(Reason::closed), {}};
    recorder().bytes_in += static_cast<std::uint64_t>(got.bytes);
    arrived_ns = got.arrived_ns;
    step =
        reader_.feed(parser, {worker_.scratch_data(), static_cast<std::size_t>(got.bytes)}, pushes);
  }
  if (step.state == ReplyParser::State::invalid) co_return Reply{fail(Reason::protocol_error), {}};
  co_return Reply{IoStatus::ok, step.reply};
}

void Connection::take_pushes() noexcept {
  PushBridge bridge(worker_.pushes(), id_);
  if (!bridge.active()) return;
  auto state = reader_.take_pushes(bridge);  // bytes left after the last reply
  while (state == ReplyReader::PushState::ok && transport_.ready(Want::read)) {
    IoResult got = transport_.receive(worker_.scratch_data(), Worker::kScratchSize);
    // A failure or the end of the stream is left for the next command's
    // I/O to find and count, as it would without pushes; but a TLS session
    // that failed cannot say why twice: counted now, found closed later.
    if (got.error == kTlsFailure) {
      fail_io(got.error);
      transport_.close();
      reader_.clear();
      return;
    }
    if (got.want != Want::none || got.error != 0 || got.bytes == 0) return;
    recorder().bytes_in += static_cast<std::uint64_t>(got.bytes);
    state =
        reader_.take_pushes(bridge, {worker_.scratch_data(), static_cast<std::size_t>(got.bytes)});
  }
  if (state == ReplyReader::PushState::invalid) {
    // The stream cannot be followed any more: the next command finds it closed.
    fail(Reason::protocol_error);
    transport_.close();
    reader_.clear();
  }
}

IoStatus Connection::failed_wait(IoStatus status) noexcept {
  return status == IoStatus::timeout ? fail(Reason::timeout) : status;
}

IoStatus Connection::fail_io(int error) noexcept {
  if (error != kTlsFailure) return fail(io_failure_reason(error));
  worker_.tls()->count_failure(recorder());
  return IoStatus::reset;
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

}  // namespace swarm::engine
