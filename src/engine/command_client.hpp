// CommandClient: the Client a command runs with, made for one call of one
// plan action. It performs the command's I/O on the connection, counts it
// under the action (requests, replies, latency), and is the one place that
// knows how that I/O ended: the first call that failed, and whether the
// command closed the connection. The module only says whether it raised an
// error; the plan runner puts the two together.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "swarm/client.hpp"
#include "swarm/task.hpp"

namespace swarm::engine {

class Connection;

class CommandClient final : public Client {
 public:
  /// A client for one call of plan action `action` on `connection`; in
  /// rate mode, `due` is when the call was due (the epoch otherwise).
  CommandClient(Connection& connection, std::uint32_t action,
                std::chrono::steady_clock::time_point due = {}) noexcept
      : connection_(connection), due_(due), action_(action) {}

  std::uint64_t id() const noexcept override;
  Task<Reply> send_for_reply(std::string_view request, ReplyParser& parser) override;
  Task<IoStatus> send_noreply(std::string_view request) override;
  void close_connection() noexcept override;
  Task<IoStatus> sleep(std::chrono::nanoseconds duration) override;

  /// The first call that failed (ok when none did).
  IoStatus failure() const noexcept { return failure_; }
  /// Whether the command called close_connection().
  bool closed() const noexcept { return closed_; }
  /// After a reply failed with protocol_error: what the parser found wrong,
  /// as "command: protocol error: why".
  const std::string& protocol_error() const noexcept { return protocol_error_; }

 private:
  IoStatus note(IoStatus status) noexcept;
  void note_start(std::chrono::steady_clock::time_point started) noexcept;

  Connection& connection_;                     // where the I/O goes
  std::chrono::steady_clock::time_point due_;  // rate mode: when the call was due; else epoch
  std::chrono::nanoseconds late_{-1};          // rate mode: how late its first request went out
                                               // (negative until then)
  std::uint32_t action_;                       // the plan action, for its counts
  IoStatus failure_ = IoStatus::ok;            // the first failed call
  bool closed_ = false;                        // close_connection() was called
  std::string protocol_error_;                 // why a parser rejected a reply
};

}  // namespace swarm::engine
