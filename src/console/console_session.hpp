// One console session: greets, reads lines, runs commands, writes replies.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "console/console_command.hpp"
#include "console/console_handler.hpp"
#include "console/telnet_filter.hpp"

namespace swarm::console {

/// Owned by its own read coroutine and write completions (shared_ptr), so
/// it lives exactly as long as something is pending on its socket.
class ConsoleSession : public std::enable_shared_from_this<ConsoleSession> {
 public:
  using OnClosed = std::function<void(ConsoleSession&)>;

  /// max_queued_output: unsent bytes beyond which a peer that does not read
  /// is cut off. on_closed runs once, when the socket closes.
  ConsoleSession(asio::ip::tcp::socket socket, ConsoleHandler& handler,
                 std::size_t max_queued_output, OnClosed on_closed);
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
  asio::awaitable<void> read_loop();
  void on_event(const TelnetEvent& event);
  void on_line(std::string_view line);
  void run(const ConsoleCommand& command);
  void send(std::string_view text);
  void write_next();

  asio::ip::tcp::socket socket_;   // the peer's connection
  ConsoleHandler& handler_;        // runs the commands
  std::size_t max_queued_output_;  // bytes allowed to wait in queue_
  OnClosed on_closed_;             // tells the server this session is gone
  TelnetFilter filter_;            // bytes → lines
  std::deque<std::string> queue_;  // replies not yet written; front is being written
  std::size_t queued_bytes_ = 0;   // total size of queue_
  bool writing_ = false;           // an async_write of queue_.front() is pending
  bool finishing_ = false;         // close once queue_ is written (quit, stop, EOF)
  bool open_ = true;               // the socket is open
};

/// Text with every line ending in "\r\n" (a bare "\n" becomes "\r\n") and a
/// final line end added when missing; telnet needs CR, nc does not mind.
std::string to_crlf_lines(std::string_view text);

}  // namespace swarm::console
