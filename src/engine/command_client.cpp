#include "engine/command_client.hpp"

#include "engine/connection.hpp"
#include "engine/worker.hpp"

namespace swarm::engine {

std::uint64_t CommandClient::id() const noexcept {
  return connection_.id();
}

Task<Reply> CommandClient::send_for_reply(std::string_view request, ReplyParser& parser) {
  auto& rec = connection_.recorder();
  auto& stats = rec.actions[action_];
  ++rec.requests;
  ++stats.requests;
  EventLoop& loop = connection_.worker().loop();
  const auto started = loop.refresh_now();
  connection_.arm_timeout(started + connection_.worker().config().timeout);
  IoStatus status = co_await connection_.write(request);
  Reply reply =
      status == IoStatus::ok ? co_await connection_.read_reply(parser) : Reply{status, {}};
  connection_.cancel_timeout();
  if (reply.status == IoStatus::ok) {
    ++rec.replies;
    ++stats.replies;
    auto elapsed = loop.refresh_now() - started;
    stats.latency_us.record(static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
  } else if (reply.status == IoStatus::protocol_error) {
    // The parser says what was wrong with the bytes: keep it with the command.
    const auto& command = connection_.worker().plan().actions[action_].command;
    ++rec.script_errors[command + ": protocol error: " + parser.error()];
  }
  note(reply.status);
  co_return reply;
}

Task<IoStatus> CommandClient::send_noreply(std::string_view request) {
  ++connection_.recorder().requests;
  ++connection_.recorder().actions[action_].requests;
  IoStatus status = co_await connection_.write(request);
  connection_.cancel_timeout();
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

IoStatus CommandClient::note(IoStatus status) noexcept {
  if (failure_ == IoStatus::ok) failure_ = status;
  return status;
}

}  // namespace swarm::engine
