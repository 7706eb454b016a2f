// One console session: greets, reads lines, runs commands, writes replies.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "console/access_token.hpp"
#include "console/console_command.hpp"
#include "console/console_handler.hpp"
#include "console/console_log.hpp"
#include "console/console_server.hpp"
#include "console/telnet_filter.hpp"

namespace swarm::console {

/// What the sessions of one server share: its rules, the failed attempts
/// and the log. Lives as long as any session (shared_ptr).
struct ConsoleShared {
  ConsoleServerOptions options;   // token, limits, timeouts
  AuthThrottle throttle;          // failed `auth` attempts, all sessions together
  ConsoleLog stderr_log;          // used when options.log is null
  std::size_t authenticated = 0;  // sessions past `auth` now

  ConsoleLog& log() { return options.log ? *options.log : stderr_log; }
};

/// Owned by its own read coroutine and write completions (shared_ptr), so
/// it lives exactly as long as something is pending on its socket.
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
 public:
  using OnClosed = std::function<void(ConsoleSession&)>;

  /// `shared` holds the server's rules (token, limits, timeouts) and log.
  /// on_closed runs once, when the socket closes.
  ConsoleSession(asio::ip::tcp::socket socket, ConsoleHandler& handler,
                 std::shared_ptr<ConsoleShared> shared, OnClosed on_closed);
  ~ConsoleSession();
  ConsoleSession(const ConsoleSession&) = delete;
  ConsoleSession& operator=(const ConsoleSession&) = delete;

  /// Sends the greeting and starts reading, on the socket's executor.
  void start();

  /// Closes the socket now, dropping unsent output. Idempotent.
  void close();

  /// Reads no more commands; closes once the replies already queued are
  /// written (quit, stop, EOF, server shutdown).
  void finish();

  /// Runs no more commands (server shutdown), without closing yet: the
  /// reply being written by the current command can still go out.
  void stop_commands() { finishing_ = true; }

  /// False once closed, or closing after its last reply.
  bool is_open() const { return open_ && !finishing_; }

 private:
  /// Failed `auth` attempts after which a session is closed.
  static constexpr int kMaxAuthFailures = 3;

  asio::awaitable<void> read_loop();
  asio::awaitable<void> pause_after_failure();
  /// Asks the handler for the answer to pending_ and sends it.
  asio::awaitable<void> answer_pending();
  void on_event(const TelnetEvent& event);
  void on_line(std::string_view line);
  void before_auth(const ConsoleParseResult& result);
  void authenticate(const std::string& token);
  void run(const ConsoleCommand& command);
  void send(std::string_view text);
  void write_next();
  /// (Re)starts the deadline: to authenticate, or to say something.
  void arm_deadline();
  void on_deadline();
  void log(std::string_view event);

  asio::ip::tcp::socket socket_;           // the peer's connection
  asio::ip::tcp::endpoint peer_;           // its address, for the log
  ConsoleHandler& handler_;                // runs the commands
  std::shared_ptr<ConsoleShared> shared_;  // the server's rules and log
  OnClosed on_closed_;                     // tells the server this session is gone
  TelnetFilter filter_;                    // bytes → lines
  asio::steady_timer deadline_;            // idle (or not-yet-authenticated) timeout
  std::deque<std::string> queue_;          // replies not yet written; front is being written
  std::size_t queued_bytes_ = 0;           // total size of queue_
  std::chrono::milliseconds pause_{0};     // a failed auth: answer after this long
  std::string after_pause_;                // the answer to send then
  std::optional<ConsoleCommand> pending_;  // a command for the handler, answered before
                                           // the next line is read
  int auth_failures_ = 0;                  // failed `auth` attempts in this session
  bool authenticated_ = false;             // past `auth` (or no token is needed)
  bool writing_ = false;                   // an async_write of queue_.front() is pending
  bool finishing_ = false;                 // close once queue_ is written (quit, stop, EOF)
  bool open_ = true;                       // the socket is open
};

/// Text with every line ending in "\r\n" (a bare "\n" becomes "\r\n") and a
/// final line end added when missing; telnet needs CR, nc does not mind.
std::string to_crlf_lines(std::string_view text);

}  // namespace swarm::console
