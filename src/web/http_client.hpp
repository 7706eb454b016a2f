// HTTP client for swarm's own endpoints (a fleet's controller asking its
// agents): one request per connection (`Connection: close`), on asio like
// the server side, answers parsed by http-parser (ResponseReader). Each
// call is a coroutine on the caller's executor, bounded in time as a whole
// (connect, write, read), so one agent that stops answering never holds
// the others up. No pooling: a controller asks each agent about once per
// interval, and a new connection is cheap beside that.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "web/response_reader.hpp"

namespace swarm::web {

/// What to ask.
struct ClientRequest {
  std::string method = "GET";  // "GET", "POST"
  std::string target = "/";    // path and query, already encoded: "/api/target?n=100"
  std::string host;            // the Host header ("10.0.0.7:8412")
  std::string body;            // sent with a Content-Length when not empty (JSON)
  std::string bearer_token;    // `Authorization: Bearer ...` when not empty
};

/// How long and how much.
struct ClientLimits {
  std::chrono::milliseconds timeout{5000};  // for the whole exchange
  std::size_t max_body = 64u << 20;         // the longest answer taken
};

/// Why a request got no answer: it never connected, timed out, or the
/// answer was not HTTP. The text says which ("connect: Connection refused").
struct HttpClientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Sends `request` to `endpoint` on a new connection and reads the whole
/// answer (any status). Throws HttpClientError.
asio::awaitable<HttpReply> http_fetch(asio::ip::tcp::endpoint endpoint, ClientRequest request,
                                      ClientLimits limits = {});

/// The request's bytes on the wire (HTTP/1.1, Connection: close).
std::string serialize(const ClientRequest& request);

}  // namespace swarm::web
