// swarm::Client: what a protocol module's command receives. It is the only
// way a module touches the network: modules never see sockets, and the engine
// never interprets the bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "swarm/reply_parser.hpp"
#include "swarm/task.hpp"

namespace swarm {

/// How an I/O call on a Client ended.
enum class IoStatus : std::uint8_t {
  ok,              // done as asked
  closed,          // the server closed the connection
  reset,           // the connection was reset or broke (the errno is counted)
  timeout,         // no complete reply within the reply timeout
  protocol_error,  // the reply parser rejected the bytes
  aborted,         // swarm is closing this connection (decr, stop) or the
                   // command called close_connection()
};

/// The name of an IoStatus as it appears in reports ("timeout", ...).
const char* to_string(IoStatus status) noexcept;

/// The answer of send_for_reply(): the reply bytes when status is ok.
struct Reply {
  IoStatus status;        // ok, or why there is no reply
  std::string_view data;  // the whole reply; valid until the next call on the
                          // same client
};

/// One connection as seen by a protocol module's command. After any call
/// returns a status other than ok, the command should return at once: the
/// engine ends the iteration and reconnects.
class Client {
 public:
  virtual ~Client() = default;

  /// A number unique to this connection within the run.
  virtual std::uint64_t id() const noexcept = 0;

  /// Sends all of `request`, then reads one reply as delimited by `parser`.
  /// Latency (send to last byte) is recorded under the running command.
  virtual Task<Reply> send_for_reply(std::string_view request, ReplyParser& parser) = 0;

  /// Sends all of `request` and expects no reply.
  virtual Task<IoStatus> send_noreply(std::string_view request) = 0;

  /// Closes the TCP connection now. The engine opens a new one and starts the
  /// plan again from its first action once the command returns.
  virtual void close_connection() noexcept = 0;

  /// Suspends this connection for `duration` without blocking others.
  virtual Task<IoStatus> sleep(std::chrono::nanoseconds duration) = 0;
};

}  // namespace swarm
