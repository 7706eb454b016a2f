#include "engine/connection.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "core/stamp.hpp"
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
    const auto slot = worker_.pacer().reserve(loop().now());
    while (!aborting_ && (slot > loop().now() || !worker_.pacer().try_begin())) {
      co_await pause(slot > loop().now() ? slot - loop().now() : ConnectPacer::kRetry);
    }
    if (aborting_) {
      worker_.pacer().give_back(slot, loop().now());  // decr: the slot goes to a later one
      break;
    }
    if (co_await connect()) {
      PlanEnd end = co_await run_plan(*this);
      disconnect();
      if (end == PlanEnd::aborted) break;
      if (end == PlanEnd::reconnect) continue;  // close_connection(): at once
    }
    if (aborting_) break;
    // A failure: wait before trying again, longer each time in a row. Calls
    // due meanwhile are not owed: the schedule starts afresh.
    schedule_.reset();
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
  ++rec.dialing;
  // Keep descriptors for the console and logs: past the budget, fail like
  // socket() would, before the process runs out.
  int error = EMFILE;
  if (worker_.take_socket()) {
    std::uint32_t server = 0;
    error = co_await connect_any(server);
    server_ = static_cast<std::uint16_t>(server);
    if (error == 0) error = co_await handshake(server);
    if (error != 0) worker_.give_socket();
  }
  worker_.pacer().end();
  --rec.dialing;
  if (error != 0) {
    transport_.close();
    if (error == ECANCELED) {
      ++rec.ended_by_console;  // decr or stop during the connect
    } else {
      stats::Reason reason = stats::Reason::other;
      if (error == kTlsFailure) {
        reason = worker_.tls()->count_failure(rec);  // by kind, with its first message
      } else {
        reason = connect_failure_reason(error);
        ++rec.errors[static_cast<std::size_t>(reason)];
      }
      ++rec.ended[static_cast<std::size_t>(reason)];
    }
    co_return false;
  }
  ++rec.connects;
  ++rec.open;
  connected_ = true;
  open_module_state();
  co_return true;
}

void Connection::open_module_state() {
  const std::size_t bytes = worker_.module_state_bytes();
  if (bytes == 0) return;
  module_state_ = detail::frame_allocate(bytes);
  std::memset(module_state_, 0, bytes);
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
    arm_limit(worker_.config().connect_timeout);
    error = wait_error(co_await wait_for(Wait::writable));
    loop().timers().cancel(*this);
    if (error == 0) error = transport_.connect_result();
  }
  // Nothing listens there: what answered was this socket itself.
  if (error == 0 && transport_.connected_to_itself(address)) error = ECONNREFUSED;
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
    if (!armed()) arm_limit(worker_.config().connect_timeout);
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
    auto& rec = recorder();
    --rec.open;
    // Why it ends: its first failure, else decr/stop, else the module's
    // close_connection().
    if (failed_) {
      ++rec.ended[static_cast<std::size_t>(end_reason_)];
    } else if (aborting_) {
      ++rec.ended_by_console;
    } else {
      ++rec.ended_by_plan;
    }
    failed_ = false;
    connected_ = false;
    worker_.give_socket();
    worker_.module().forget_connection(id_);
    if (module_state_ != nullptr) {
      detail::frame_deallocate(module_state_, worker_.module_state_bytes());
      module_state_ = nullptr;
    }
  }
}

std::size_t Connection::spill_bytes() const noexcept {
  const std::size_t state = module_state_ != nullptr ? worker_.module_state_bytes() : 0;
  return reader_.memory_bytes() + (state + 15) / 16 * 16;
}

std::string_view Connection::server_name() const noexcept {
  const std::size_t servers = worker_.config().servers.size();
  return server_ < servers ? std::string_view(worker_.server_name(server_)) : std::string_view();
}

std::uint64_t Connection::random() noexcept {
  return worker_.rng().next();
}

void Connection::count_received(std::string_view topic, std::int64_t sent_unix_ns) {
  stats::ReceivedStats& received = recorder().received;
  received.count(topic);
  if (sent_unix_ns != 0) received.latency_us.record(core::microseconds_since(sent_unix_ns));
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
  const Wait what = connection_.waiting_for_;
  if (what == Wait::deferred || what == Wait::turn) connection_.loop().defer(handle);
}

Connection::WaitAwaiter Connection::wait_for(Wait what) noexcept {
  waiting_for_ = what;  // nothing runs between here and the suspension
  wake_status_ = IoStatus::ok;
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

Connection::WaitAwaiter Connection::pause_plan(std::chrono::nanoseconds duration) noexcept {
  if (duration <= std::chrono::nanoseconds::zero()) return pause(duration);
  if (connected_) take_pushes();
  if (!aborting_)
    loop().timers().arm(*this, stream_ended() ? loop().now() : loop().now() + duration);
  return wait_for(Wait::plan);
}

// ---------------------------------------------------------------- rate mode

Connection::WaitAwaiter Connection::no_wait() noexcept {
  wake_status_ = IoStatus::ok;
  return wait_for(Wait::none);
}

Connection::WaitAwaiter Connection::wait_due() noexcept {
  const Clock::time_point due =
      schedule_.due(loop().now(), worker_.call_period(), worker_.rng().unit());
  // The round's clock may be behind by the work done in it: read it again
  // before deciding a due call must wait for the next round.
  if (due <= loop().refresh_now()) return no_wait();
  set_state(ConnState::standby);
  if (connected_) take_pushes();
  if (!aborting_) loop().timers().arm(*this, stream_ended() ? loop().now() : due);
  return wait_for(Wait::plan);
}

Clock::time_point Connection::take_due() noexcept {
  const Clock::duration period = worker_.call_period();
  if (period <= Clock::duration::zero()) return {};
  // Not started: rate mode came on while this call was already on its way.
  const Clock::time_point due = schedule_.due(loop().now(), period, 0.0);
  schedule_.advance(period);
  return due;
}

void Connection::on_period_change(Clock::duration before, Clock::duration after) noexcept {
  const bool switched = (before == Clock::duration::zero()) != (after == Clock::duration::zero());
  if (switched) {
    schedule_.reset();
  } else {
    schedule_.retime(loop().now(), before, after);
  }
  if (waiting_for_ != Wait::plan) return;
  // Asleep in the plan or waiting for a due time. When the mode changed,
  // wake now: the plan runner looks again (sleeps the plan, or draws a new
  // phase). Otherwise wait for the re-timed due time.
  loop().timers().arm(*this, switched || !schedule_.started()
                                 ? loop().now()
                                 : schedule_.due(loop().now(), after, 0.0));
}

void Connection::on_events(std::uint32_t events) {
  transport_.on_events(events);
  // Bytes a push handler sent that the socket could not take go out as
  // soon as it can, whatever the connection waits for (write() sends them
  // first itself).
  if (waiting_for_ != Wait::writable && !reader_.unsent().empty() &&
      transport_.ready(Want::write)) {
    flush_unsent();
  }
  switch (waiting_for_) {
    case Wait::readable:
      if (transport_.ready(Want::read)) wake(IoStatus::ok);
      return;
    case Wait::writable:
      if (transport_.ready(Want::write)) wake(IoStatus::ok);
      return;
    case Wait::timer:
    case Wait::plan:
    case Wait::deferred:
      // Sleeping between commands: what arrives now was pushed.
      if (connected_) take_pushes();
      if (waiting_for_ == Wait::plan) notice_server_close();
      return;
    case Wait::turn:  // reading a reply, back on the next round
    case Wait::none:
      return;
  }
}

void Connection::on_timer() {
  switch (waiting_for_) {
    case Wait::timer:
    case Wait::plan:
      return wake(IoStatus::ok);
    case Wait::readable:
    case Wait::writable:
      return wake(IoStatus::timeout);
    case Wait::turn:
      // Its resumption is already queued: it finds the timeout then.
      wake_status_ = IoStatus::timeout;
      return;
    case Wait::none:
    case Wait::deferred:
      return;
  }
}

void Connection::abort() noexcept {
  aborting_ = true;
  // A queued resumption finds aborting_ set when it runs.
  if (waiting_for_ == Wait::none || waiting_for_ == Wait::deferred || waiting_for_ == Wait::turn) {
    return;
  }
  // Resume on the next round, not inside the caller (a loop over victims).
  loop().timers().cancel(*this);
  auto handle = waiter_;
  waiter_ = {};
  waiting_for_ = Wait::none;
  loop().defer(handle);
}

// ---------------------------------------------------------------- I/O

void Connection::arm_reply_timeout(Clock::time_point from) {
  const auto limit = worker_.config().timeout;
  if (limit > std::chrono::nanoseconds::zero()) loop().timers().arm(*this, from + limit);
}

void Connection::arm_limit(std::chrono::nanoseconds limit) {
  // 0 means no limit, as elsewhere: no timer at all.
  if (limit > std::chrono::nanoseconds::zero()) loop().timers().arm(*this, loop().now() + limit);
}

void Connection::cancel_timeout() noexcept {
  loop().timers().cancel(*this);
}

Connection::WaitAwaiter Connection::wait_io(Want want) {
  if (!armed()) arm_limit(worker_.config().timeout);
  return wait_for(want == Want::read ? Wait::readable : Wait::writable);
}

Task<IoStatus> Connection::write(std::string_view data) {
  if (!transport_.is_open()) co_return aborting_ ? IoStatus::aborted : IoStatus::closed;
  reader_.release_if_empty();  // the last reply is done with
  // What send_now() left goes first: it was sent earlier.
  for (std::string_view unsent = reader_.unsent(); !unsent.empty(); unsent = reader_.unsent()) {
    IoResult sent = transport_.send(unsent);
    if (sent.error != 0) co_return fail(io_failure_reason(sent.error));
    if (sent.want != Want::none) {
      IoStatus status = co_await wait_io(sent.want);
      if (status != IoStatus::ok) co_return failed_wait(status);
      continue;
    }
    recorder().bytes_out += static_cast<std::uint64_t>(sent.bytes);
    reader_.drop_unsent(static_cast<std::size_t>(sent.bytes));
  }
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

IoStatus Connection::send_now(std::string_view bytes) {
  if (!transport_.is_open()) return aborting_ ? IoStatus::aborted : IoStatus::closed;
  if (reader_.unsent().empty()) {
    while (!bytes.empty() && transport_.ready(Want::write)) {
      IoResult sent = transport_.send(bytes);
      if (sent.error != 0) {
        // Counted once here; the next command finds the connection closed.
        IoStatus status = fail(io_failure_reason(sent.error));
        transport_.close();
        return status;
      }
      if (sent.want != Want::none) break;
      recorder().bytes_out += static_cast<std::uint64_t>(sent.bytes);
      bytes.remove_prefix(static_cast<std::size_t>(sent.bytes));
    }
  }
  if (!bytes.empty()) reader_.keep_unsent(bytes);
  return IoStatus::ok;
}

bool Connection::flush_unsent() noexcept {
  for (std::string_view unsent = reader_.unsent(); !unsent.empty(); unsent = reader_.unsent()) {
    IoResult sent = transport_.send(unsent);
    if (sent.error != 0) {
      fail(io_failure_reason(sent.error));
      transport_.close();
      reader_.clear();
      return false;
    }
    if (sent.want != Want::none) return true;
    recorder().bytes_out += static_cast<std::uint64_t>(sent.bytes);
    reader_.drop_unsent(static_cast<std::size_t>(sent.bytes));
  }
  return true;
}

Task<Reply> Connection::read_reply(ReplyParser& parser, std::int64_t& arrived_ns, bool divert) {
  PushBridge bridge(worker_.pushes(), *this, divert);
  PushSink* pushes = bridge.active() ? &bridge : nullptr;
  ReplyReader::Step step = reader_.begin(parser, pushes);
  std::uint32_t reads = 0;  // since this coroutine last let the others run
  for (Want want = Want::read; step.state == ReplyParser::State::need_more;) {
    if (!transport_.is_open()) {
      co_return Reply{aborting_ ? IoStatus::aborted : IoStatus::closed, {}};
    }
    if (over_limit(reader_.held_bytes())) co_return Reply{fail(Reason::reply_too_large), {}};
    if (!transport_.ready(want)) {
      IoStatus status = co_await wait_io(want);
      if (status != IoStatus::ok) co_return Reply{failed_wait(status), {}};
      reads = 0;
    } else if (++reads > kReadsPerTurn) {
      // The server keeps sending: the others run first.
      IoStatus status = co_await wait_for(Wait::turn);
      if (status != IoStatus::ok) co_return Reply{failed_wait(status), {}};
      reads = 1;
    }
    IoResult got = transport_.receive(worker_.scratch_data(), Worker::kScratchSize);
    want = got.want == Want::none ? Want::read : got.want;
    if (got.want != Want::none) continue;
    if (got.error != 0) co_return Reply{fail_io(got.error), {}};
    if (got.bytes == 0) {
      // The end of the stream ends the reply, for a parser that says so.
      step = reader_.end_of_stream(parser);
      if (step.state == ReplyParser::State::done) break;
      co_return Reply{fail(Reason::closed), {}};
    }
    recorder().bytes_in += static_cast<std::uint64_t>(got.bytes);
    arrived_ns = got.arrived_ns;
    step =
        reader_.feed(parser, {worker_.scratch_data(), static_cast<std::size_t>(got.bytes)}, pushes);
  }
  // Counted by the plan runner, which knows whether the parser was the
  // module's own and raised (a script error) or rejected the server's bytes.
  if (step.state == ReplyParser::State::invalid) co_return Reply{IoStatus::protocol_error, {}};
  if (over_limit(step.reply.size())) co_return Reply{fail(Reason::reply_too_large), {}};
  co_return Reply{IoStatus::ok, step.reply};
}

bool Connection::over_limit(std::size_t held) const noexcept {
  const std::size_t limit = worker_.config().max_reply;
  return limit > 0 && held > limit;
}

void Connection::take_pushes() noexcept {
  // Nothing kept and nothing to read: the usual case, at every pause.
  if (worker_.pushes() == nullptr || (!reader_.has_unread() && !transport_.ready(Want::read))) {
    reader_.release_if_empty();
    return;
  }
  PushBridge bridge(worker_.pushes(), *this);
  auto state = reader_.take_pushes(bridge);  // bytes left after the last reply
  for (std::uint32_t reads = 0; state == ReplyReader::PushState::ok && transport_.ready(Want::read);
       ++reads) {
    if (reads == kReadsPerTurn) {
      // The server keeps pushing: let the others run, and be told again on
      // the next round if more is waiting.
      loop().rearm(transport_.fd(), this);
      return;
    }
    IoResult got = transport_.receive(worker_.scratch_data(), Worker::kScratchSize);
    // A failure or the end of the stream ends the connection now, counted
    // once; the next command (or the plan, woken) finds it closed.
    if (got.error != 0) {
      fail_io(got.error);
      transport_.close();
      reader_.clear();
      return;
    }
    if (got.want != Want::none) return;
    if (got.bytes == 0) return drop_stream(Reason::closed);
    recorder().bytes_in += static_cast<std::uint64_t>(got.bytes);
    state =
        reader_.take_pushes(bridge, {worker_.scratch_data(), static_cast<std::size_t>(got.bytes)});
    if (over_limit(reader_.held_bytes())) return drop_stream(Reason::reply_too_large);
  }
  if (state == ReplyReader::PushState::invalid) {
    // The stream cannot be followed any more: the next command finds it
    // closed. What was wrong is said, as for a reply.
    ++recorder().script_errors["push: protocol error: " + worker_.pushes()->framer().error()];
    drop_stream(Reason::protocol_error);
    return;
  }
  // A subscriber may not write again for hours: keep nothing it does not need.
  reader_.release_if_empty();
}

void Connection::notice_server_close() noexcept {
  if (!connected_) return;
  // A module that reads pushes found the end itself (take_pushes), after
  // the last pushed bytes; for the others nothing more can be asked on a
  // closed connection, and any bytes left unread are not a reply to anything.
  if (transport_.is_open() && transport_.peer_closed() && worker_.pushes() == nullptr) {
    const int error = transport_.pending_error();
    drop_stream(error != 0 ? io_failure_reason(error) : Reason::closed);
  }
  if (stream_ended()) loop().timers().arm(*this, loop().now());
}

void Connection::end_by_protocol(std::string_view kind, std::string_view message) noexcept {
  if (!transport_.is_open()) return;  // ended already: counted once
  const Reason reason =
      stats::reason_named(kind.substr(0, kind.find(':'))).value_or(Reason::protocol_error);
  recorder().count_error(reason, std::string(kind), message);
  note_end(reason);
  // The reader is not cleared here: this may run inside it (a push handler
  // that heard a close); disconnect() clears it.
  transport_.close();
  // Asleep in the plan (the close came between commands): the plan goes on
  // now, and its next command finds the connection closed, a failure
  // counted here already: a backoff, then a new connection, without
  // waiting out a long sleep on a dead one.
  if (waiting_for_ == Wait::plan) loop().timers().arm(*this, loop().now());
}

void Connection::drop_stream(Reason reason) noexcept {
  fail(reason);
  transport_.close();
  reader_.clear();
}

IoStatus Connection::failed_wait(IoStatus status) noexcept {
  return status == IoStatus::timeout ? fail(Reason::timeout) : status;
}

IoStatus Connection::fail_io(int error) noexcept {
  if (error != kTlsFailure) return fail(io_failure_reason(error));
  note_end(worker_.tls()->count_failure(recorder()));
  return IoStatus::reset;
}

void Connection::count_failure(Reason reason) noexcept {
  ++recorder().errors[static_cast<std::size_t>(reason)];
  note_end(reason);
}

void Connection::note_end(Reason reason) noexcept {
  if (connected_ && !failed_) {
    failed_ = true;
    end_reason_ = reason;
  }
}

IoStatus Connection::fail(Reason reason) noexcept {
  count_failure(reason);
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
