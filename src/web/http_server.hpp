// The HTTP endpoint (--http): the dashboard, /metrics and the control API.
// It runs on the control thread's io_context, like the console, so a
// handler reads and steers the run with no lock; the load's workers never
// see it. Server-sent events go to every open stream from one shared copy
// of the bytes, so a viewer costs a write per interval, never a snapshot.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "web/http_access.hpp"
#include "web/http_handler.hpp"
#include "web/http_session.hpp"

namespace swarm::web {

namespace detail {
struct HttpServerState;
}

/// All member functions must be called from the io_context's thread (or
/// while it is not running).
class HttpServer {
 public:
  /// Opens, binds and listens on `endpoint` (port 0 picks a free one).
  /// Throws std::runtime_error ("cannot listen on 127.0.0.1:8412: Address
  /// already in use") on failure. `handler` and `access` must outlive it.
  HttpServer(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint, HttpHandler& handler,
             const HttpAccess& access, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Starts accepting; sessions run when the io_context runs.
  void start();
  /// Stops accepting; answers being written go out, then every connection
  /// closes. Idempotent; also done by the destructor.
  void close();
  /// Sends `event` (whole server-sent events: "event: x\ndata: ...\n\n")
  /// to every open event stream.
  void publish(std::shared_ptr<const std::string> event);

  /// The address actually bound.
  asio::ip::tcp::endpoint local_endpoint() const;
  /// Connections open now, and how many of them are event streams.
  std::size_t session_count() const;
  std::size_t stream_count() const;

 private:
  std::shared_ptr<detail::HttpServerState> state_;  // shared with pending operations
};

}  // namespace swarm::web
