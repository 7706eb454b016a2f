// The console's TCP server: accepts telnet/nc sessions on --listen and
// hands their commands to a ConsoleHandler.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "console/access_token.hpp"
#include "console/console_handler.hpp"

namespace swarm::console {

class ConsoleLog;

/// Who may use the console, and limits that keep a few people (or a stray
/// port scanner) from costing much or locking the operator out.
struct ConsoleServerOptions {
  std::size_t max_sessions = 2;             // sessions at once (past `auth` when a token is
                                            // set); more are told to retry
  std::size_t max_unauthenticated = 4;      // sessions still to authenticate, at once
  std::size_t max_queued_output = 1 << 20;  // unsent bytes per session before it is cut off
  std::optional<AccessToken> token;         // set: sessions must `auth TOKEN` first
  std::chrono::nanoseconds idle_timeout{std::chrono::minutes(5)};   // a silent session closes
                                                                    // after this; 0 = never
  std::chrono::nanoseconds auth_timeout{std::chrono::seconds(30)};  // to authenticate in
  std::shared_ptr<ConsoleLog> log;  // where every event is written; null = stderr
};

namespace detail {
struct ConsoleServerState;
}

/// Runs every session on one io_context (the control thread's), so the
/// handler is called from that thread only, one call at a time. All member
/// functions must be called from that thread (or while it is not running).
class ConsoleServer {
 public:
  /// Opens, binds (SO_REUSEADDR) and listens on `endpoint` (IPv4 or IPv6;
  /// port 0 picks a free one). Throws std::runtime_error
  /// ("cannot listen on 127.0.0.1:8400: Address already in use") on failure.
  ConsoleServer(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint,
                ConsoleHandler& handler, ConsoleServerOptions options = {});
  ~ConsoleServer();
  ConsoleServer(const ConsoleServer&) = delete;
  ConsoleServer& operator=(const ConsoleServer&) = delete;

  /// Starts accepting sessions; they run when the io_context runs.
  void start();

  /// Stops accepting and closes every session (at shutdown). Sessions are
  /// closed from the io_context just after the current handler, so the
  /// reply to a `stop` whose handler calls close() still goes out.
  /// Idempotent; also done by the destructor.
  void close();

  /// The address actually bound (with the real port when 0 was asked).
  asio::ip::tcp::endpoint local_endpoint() const;

  /// Sessions currently open (including ones sending their last reply).
  std::size_t session_count() const;

  /// Failed `auth` attempts since the start.
  std::uint64_t auth_failures() const;

 private:
  std::shared_ptr<detail::ConsoleServerState> state_;  // shared with pending operations
};

/// "127.0.0.1:8400" or "[::1]:8400", for messages.
std::string to_string(const asio::ip::tcp::endpoint& endpoint);

}  // namespace swarm::console
