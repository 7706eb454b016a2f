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

CommandClient::~CommandClient() {
  // Requests whose replies the command never read (it returned early):
  // their connection goes on without them.
  end_awaited(stats::RequestEnd::abandoned);
}

std::uint64_t CommandClient::id() const noexcept {
  return connection_.id();
}

void CommandClient::start_requests(std::uint32_t count) {
  // Time runs from just before the first byte is written to when the kernel
  // queued each reply's last byte (DESIGN.md, "Where time is stamped").
  auto& rec = connection_.recorder();
  for (std::uint32_t i = 0; i < count; ++i) rec.count_request(action_);
  sent_at_ = connection_.worker().loop().refresh_now();
  note_start(sent_at_);
  awaiting_ = count;
  connection_.arm_reply_timeout(sent_at_);
}

void CommandClient::end_awaited(stats::RequestEnd end) noexcept {
  auto& rec = connection_.recorder();
  for (; awaiting_ > 0; --awaiting_) rec.count_request_end(action_, end);
}

Reply CommandClient::finish_reply(Reply reply, ReplyParser& parser, std::int64_t arrived_ns) {
  auto& rec = connection_.recorder();
  if (reply.status == IoStatus::ok) {
    if (awaiting_ > 0) {
      // Leave out the time the reply waited in the socket for this worker.
      // The realtime clock is read first: should the thread be preempted
      // between the two readings, the latency grows, it never shrinks.
      const auto waited = time_since_arrival(arrived_ns);
      const auto elapsed = connection_.worker().loop().refresh_now() - sent_at_;
      const auto service = elapsed - std::min(waited, elapsed);
      rec.count_reply(action_, whole_us(service));
      // Rate mode: had the call gone out when due, this request would have
      // gone out as much earlier; the wait is the user's too.
      if (late_.count() >= 0) rec.count_intended(action_, whole_us(service + late_));
      rec.actions[action_].bytes_in += reply.data.size();
      --awaiting_;
    }
  } else {
    end_awaited(end_without_reply(reply.status));
    if (reply.status == IoStatus::protocol_error && protocol_error_.empty()) {
      // The parser says what was wrong with the bytes. Counted by the plan
      // runner, once: a module whose own parser raised says why instead.
      protocol_error_ =
          connection_.worker().row_name(action_) + ": protocol error: " + parser.error();
    }
  }
  if (awaiting_ == 0) connection_.cancel_timeout();
  note(reply.status);
  return reply;
}

Task<Reply> CommandClient::send_for_reply(std::string_view request, ReplyParser& parser) {
  start_requests(1);
  IoStatus status = co_await connection_.write(request);
  if (status != IoStatus::ok) co_return finish_reply(Reply{status, {}}, parser, 0);
  connection_.recorder().actions[action_].bytes_out += request.size();
  std::int64_t arrived_ns = 0;
  Reply reply = co_await connection_.read_reply(parser, arrived_ns);
  co_return finish_reply(reply, parser, arrived_ns);
}

Task<IoStatus> CommandClient::send_pipelined(std::string_view requests, std::uint32_t count) {
  start_requests(count);
  IoStatus status = co_await connection_.write(requests);
  if (status != IoStatus::ok) {
    end_awaited(end_without_reply(status));
    connection_.cancel_timeout();
  } else {
    connection_.recorder().actions[action_].bytes_out += requests.size();
  }
  co_return note(status);
}

Task<Reply> CommandClient::read_reply(ReplyParser& parser) {
  std::int64_t arrived_ns = 0;
  Reply reply = co_await connection_.read_reply(parser, arrived_ns);
  co_return finish_reply(reply, parser, arrived_ns);
}

Task<Reply> CommandClient::receive(ReplyParser& parser) {
  // Waits up to the reply timeout, like a reply; the message is no reply to
  // a request, so nothing is timed.
  std::int64_t arrived_ns = 0;
  Reply message = co_await connection_.read_reply(parser, arrived_ns, false);
  if (message.status != IoStatus::ok) end_awaited(end_without_reply(message.status));
  if (awaiting_ == 0) connection_.cancel_timeout();
  note(message.status);
  co_return message;
}

Task<IoStatus> CommandClient::send_noreply(std::string_view request) {
  auto& rec = connection_.recorder();
  rec.count_request(action_);
  if (due_ != Clock::time_point{}) note_start(connection_.worker().loop().refresh_now());
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

IoStatus CommandClient::send_now(std::string_view bytes) {
  return note(connection_.send_now(bytes));
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

void* CommandClient::connection_state() noexcept {
  return connection_.module_state();
}

std::uint64_t CommandClient::random() noexcept {
  return connection_.random();
}

void CommandClient::count_reply(std::string_view kind, bool error) {
  connection_.recorder().actions[action_].reply_kinds.add(kind, error);
}

void CommandClient::count_received(std::string_view topic, std::int64_t sent_unix_ns) {
  connection_.count_received(topic, sent_unix_ns);
}

std::string_view CommandClient::server_name() const noexcept {
  return connection_.server_name();
}

void CommandClient::end_connection(std::string_view kind, std::string_view message) {
  // Counted here, once: the plan runner finds the call failed (closed) and
  // reconnects after a backoff, as for any failure counted where it happened.
  connection_.end_by_protocol(kind, message);
  end_awaited(stats::RequestEnd::failed);
  connection_.cancel_timeout();
  note(IoStatus::closed);
}

void CommandClient::note_start(Clock::time_point started) noexcept {
  // The lateness is fixed by the call's first request: the module's own
  // waits between requests are part of the call, not of the schedule.
  if (due_ == Clock::time_point{} || late_.count() >= 0) return;
  late_ = std::max(std::chrono::nanoseconds::zero(),
                   std::chrono::duration_cast<std::chrono::nanoseconds>(started - due_));
}

IoStatus CommandClient::note(IoStatus status) noexcept {
  if (failure_ == IoStatus::ok) failure_ = status;
  return status;
}

}  // namespace swarm::engine
