// One HTTP connection: reads requests one after the other (keep-alive,
// pipelining), checks access, asks the handler, writes the answers; or,
// after a request for an event stream, writes the events it is given.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "web/http_access.hpp"
#include "web/http_handler.hpp"
#include "web/request_reader.hpp"

namespace swarm::web {

/// Limits that keep viewers and stray clients cheap.
struct HttpServerOptions {
  std::size_t max_sessions = 64;                  // connections at once; more get 503
  std::chrono::milliseconds idle_timeout{30000};  // a keep-alive connection with no request
  std::size_t max_queued_output = 8u << 20;       // unsent bytes before a slow reader is cut off
  RequestLimits limits;                           // head and body sizes
};

/// Owned by its read coroutine and write completions (shared_ptr): it lives
/// as long as something is pending on its socket.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  using OnClosed = std::function<void(HttpSession&)>;
  using Bytes = std::shared_ptr<const std::string>;

  HttpSession(asio::ip::tcp::socket socket, HttpHandler& handler, const HttpAccess& access,
              const HttpServerOptions& options, OnClosed on_closed);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  /// Starts reading requests, on the socket's executor.
  void start();
  /// Closes the socket now. Idempotent.
  void close();
  /// Answers nothing more; closes once what is queued is written.
  void finish();
  /// Queues bytes to write (an answer, or an event on a stream).
  void send(Bytes bytes);
  /// The connection is an event stream (it gets published events).
  bool is_stream() const noexcept { return stream_; }
  bool is_open() const noexcept { return open_; }

 private:
  asio::awaitable<void> read_loop();
  asio::awaitable<bool> read_request();
  asio::awaitable<void> answer(HttpRequest request);
  /// The handler's answer; a handler that throws gets a 500 with its message.
  asio::awaitable<HttpResponse> ask_handler(const HttpRequest& request);
  void arm_idle_timer();
  void write_next();

  asio::ip::tcp::socket socket_;      // the peer's connection
  HttpHandler& handler_;              // answers requests
  const HttpAccess& access_;          // who may ask
  const HttpServerOptions& options_;  // limits
  OnClosed on_closed_;                // tells the server this session is gone
  RequestReader reader_;              // bytes → requests
  std::string pending_;               // bytes read and not yet parsed
  asio::steady_timer idle_;           // closes a connection with no request
  std::deque<Bytes> queue_;           // answers not yet written; front is being written
  std::size_t queued_bytes_ = 0;      // total size of queue_
  std::string peer_;                  // "127.0.0.1:53122"
  bool writing_ = false;              // an async_write of queue_.front() is pending
  bool finishing_ = false;            // close once queue_ is written
  bool stream_ = false;               // an event stream
  bool open_ = true;                  // the socket is open
};

}  // namespace swarm::web
