// PushClient: the Client a module's push handler gets for a message that
// arrived between (or during) its commands. The handler runs inside a read,
// so nothing here waits: it may send at once (send_now: an MQTT PUBACK, a
// pong), count, and use the connection's state; calls that would wait end
// at once with `aborted`.
#pragma once

#include <cstdint>
#include <string_view>

#include "swarm/client.hpp"

namespace swarm::engine {

class Connection;

class PushClient final : public Client {
 public:
  explicit PushClient(Connection& connection) noexcept : connection_(connection) {}

  std::uint64_t id() const noexcept override;
  /// Not here: a push handler must not wait. Each ends at once: aborted.
  Task<Reply> send_for_reply(std::string_view request, ReplyParser& parser) override;
  Task<IoStatus> send_noreply(std::string_view request) override;
  Task<IoStatus> send_pipelined(std::string_view requests, std::uint32_t count) override;
  Task<Reply> read_reply(ReplyParser& parser) override;
  Task<Reply> receive(ReplyParser& parser) override;
  Task<IoStatus> sleep(std::chrono::nanoseconds duration) override;
  /// Not here either: the connection is in the middle of a read.
  void close_connection() noexcept override {}

  IoStatus send_now(std::string_view bytes) override;
  void* connection_state() noexcept override;
  std::uint64_t random() noexcept override;
  /// Pushes are no command's replies: not counted.
  void count_reply(std::string_view, bool) override {}
  void count_received(std::string_view topic, std::int64_t sent_unix_ns) override;
  std::string_view server_name() const noexcept override;
  void end_connection(std::string_view kind, std::string_view message) override;

 private:
  Connection& connection_;  // the connection the message came on
};

}  // namespace swarm::engine
