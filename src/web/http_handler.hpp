// What the HTTP endpoint asks of the rest of swarm. The web layer knows
// nothing of the engine; the app implements this.
#pragma once

#include <asio/awaitable.hpp>

#include "web/http_message.hpp"

namespace swarm::web {

/// Called on the server's io_context thread (the control thread), one call
/// at a time, for requests the access check let through.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;

  /// The answer to `request`. A response with event_stream set keeps the
  /// connection open: its body is sent first, then every event published.
  virtual HttpResponse handle(const HttpRequest& request) = 0;
  /// The answer to `request` when it takes a round trip elsewhere (a
  /// fleet's controller asks its agents); by default handle()'s. The
  /// session reads its next request once this answer is in.
  virtual asio::awaitable<HttpResponse> answer(HttpRequest request);
};

}  // namespace swarm::web
