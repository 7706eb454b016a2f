#include "engine/push_client.hpp"

#include "engine/connection.hpp"

namespace swarm::engine {

std::uint64_t PushClient::id() const noexcept {
  return connection_.id();
}

Task<Reply> PushClient::send_for_reply(std::string_view, ReplyParser&) {
  co_return Reply{IoStatus::aborted, {}};
}

Task<IoStatus> PushClient::send_noreply(std::string_view) {
  co_return IoStatus::aborted;
}

Task<IoStatus> PushClient::send_pipelined(std::string_view, std::uint32_t) {
  co_return IoStatus::aborted;
}

Task<Reply> PushClient::read_reply(ReplyParser&) {
  co_return Reply{IoStatus::aborted, {}};
}

Task<Reply> PushClient::receive(ReplyParser&) {
  co_return Reply{IoStatus::aborted, {}};
}

Task<IoStatus> PushClient::sleep(std::chrono::nanoseconds) {
  co_return IoStatus::aborted;
}

IoStatus PushClient::send_now(std::string_view bytes) {
  return connection_.send_now(bytes);
}

void* PushClient::connection_state() noexcept {
  return connection_.module_state();
}

std::uint64_t PushClient::random() noexcept {
  return connection_.random();
}

void PushClient::count_received(std::string_view topic, std::int64_t sent_unix_ns) {
  connection_.count_received(topic, sent_unix_ns);
}

std::string_view PushClient::server_name() const noexcept {
  return connection_.server_name();
}

void PushClient::end_connection(std::string_view kind, std::string_view message) {
  // The connection is in the middle of a read: closing its transport ends
  // that read (the reply awaited, if any, fails as closed, counted here).
  connection_.end_by_protocol(kind, message);
}

}  // namespace swarm::engine
