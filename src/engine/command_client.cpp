#include "engine/command_client.hpp"

#include <algorithm>

#include "engine/connection.hpp"
#include "engine/tcp_socket.hpp"
#include "engine/worker.hpp"

namespace swarm::engine {
namespace {

std::uint64_t whole_us(std::chrono::nanoseconds elapsed) noexcept {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
  return us > 0 ? static_cast<std::uint64_t>(us) : 0;
}

/// How a request that got no reply ended, by the status it ended with.
stats::RequestEnd end_without_reply(IoStatus status) noexcept {
  return status == IoStatus::aborted ? stats::RequestEnd::abandoned : stats::RequestEnd::failed;
}

}  // namespace

std::uint64_t CommandClient::id() const noexcept {
  return connection_.id();
}

Task<Reply> CommandClient::send_for_reply(std::string_view request, ReplyParser& parser) {
  // Time runs from just before the first byte is written to when the kernel
  // queued the reply's last byte (DESIGN.md, "Where time is stamped").
  auto& rec = connection_.recorder();
  rec.count_request(action_);
  EventLoop& loop = connection_.worker().loop();
  const auto started = loop.refresh_now();
  note_start(started);
  connection_.arm_reply_timeout(started);
  IoStatus status = co_await connection_.write(request);
  if (status == IoStatus::ok) rec.actions[action_].bytes_out += request.size();
  std::int64_t arrived_ns = 0;
  Reply reply = status == IoStatus::ok ? co_await connection_.read_reply(parser, arrived_ns)
                                       : Reply{status, {}};
  connection_.cancel_timeout();
  if (reply.status == IoStatus::ok) {
    // Leave out the time the reply waited in the socket for this worker. The
    // realtime clock is read first: should the thread be preempted between
    // the two readings, the latency grows, it never shrinks below the truth.
    const auto waited = time_since_arrival(arrived_ns);
    const auto elapsed = loop.refresh_now() - started;
    const auto service = elapsed - std::min(waited, elapsed);
    rec.count_reply(action_, whole_us(service));
    // Rate mode: had the call gone out when due, this request would have
    // gone out as much earlier; the wait is the user's too.
    if (late_.count() >= 0) rec.count_intended(action_, whole_us(service + late_));
    rec.actions[action_].bytes_in += reply.data.size();
  } else {
    rec.count_request_end(action_, end_without_reply(reply.status));
    if (reply.status == IoStatus::protocol_error && protocol_error_.empty()) {
      // The parser says what was wrong with the bytes. Counted by the plan
      // runner, once: a module whose own parser raised says why instead.
      const auto& command = connection_.worker().plan().actions[action_].command;
      protocol_error_ = command + ": protocol error: " + parser.error();
    }
  }
  note(reply.status);
  co_return reply;
}

Task<IoStatus> CommandClient::send_noreply(std::string_view request) {
  auto& rec = connection_.recorder();
  rec.count_request(action_);
  if (due_ != std::chrono::steady_clock::time_point{}) {
    note_start(connection_.worker().loop().refresh_now());
  }
  IoStatus status = co_await connection_.write(request);
  connection_.cancel_timeout();
  if (status == IoStatus::ok) {
    rec.count_request_end(action_, stats::RequestEnd::sent);
    rec.actions[action_].bytes_out += request.size();
  } else {
    rec.count_request_end(action_, end_without_reply(status));
  }
  co_return note(status);
}

void CommandClient::close_connection() noexcept {
  closed_ = true;
  connection_.disconnect();
}

Task<IoStatus> CommandClient::sleep(std::chrono::nanoseconds duration) {
  auto previous = connection_.state();
  connection_.set_state(stats::ConnState::standby);
  IoStatus status = co_await connection_.pause(duration);
  connection_.set_state(previous);
  co_return note(status);
}

void CommandClient::note_start(std::chrono::steady_clock::time_point started) noexcept {
  // The lateness is fixed by the call's first request: the module's own
  // waits between requests are part of the call, not of the schedule.
  if (due_ == std::chrono::steady_clock::time_point{} || late_.count() >= 0) return;
  late_ = std::max(std::chrono::nanoseconds::zero(),
                   std::chrono::duration_cast<std::chrono::nanoseconds>(started - due_));
}

IoStatus CommandClient::note(IoStatus status) noexcept {
  if (failure_ == IoStatus::ok) failure_ = status;
  return status;
}

}  // namespace swarm::engine
