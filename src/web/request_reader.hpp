// RequestReader: HTTP/1.1 requests framed and parsed out of a byte stream
// by Node's http-parser (Debian's libhttp-parser), with the limits a
// control endpoint needs: small heads, small bodies. It never touches a
// socket: its tests feed it streams cut anywhere.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "web/http_message.hpp"

namespace swarm::web {

/// Limits on one request.
struct RequestLimits {
  std::size_t max_head = 16 * 1024;  // request line and headers, bytes
  std::size_t max_body = 64 * 1024;  // body, bytes
};

/// Why a request could not be read: the status to answer before closing.
struct RequestError {
  int status = 400;     // 400, 413, 431
  std::string message;  // what was wrong, for the body
};

class RequestReader {
 public:
  explicit RequestReader(RequestLimits limits = {});
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  /// Feeds bytes; returns how many were used. Stops after a complete
  /// request (the rest belongs to the next one: feed it again after
  /// take()), or at an error.
  std::size_t feed(std::string_view bytes);
  /// A complete request is ready.
  bool complete() const noexcept { return complete_; }
  /// The request could not be parsed; the connection must close.
  const std::optional<RequestError>& error() const noexcept { return error_; }
  /// The complete request; the reader then waits for the next one.
  HttpRequest take();

 private:
  static int on_url(http_parser* parser, const char* at, std::size_t length);
  static int on_header_field(http_parser* parser, const char* at, std::size_t length);
  static int on_header_value(http_parser* parser, const char* at, std::size_t length);
  static int on_headers_complete(http_parser* parser);
  static int on_body(http_parser* parser, const char* at, std::size_t length);
  static int on_message_complete(http_parser* parser);
  bool count_head(std::size_t length);
  void store_header();
  void fail(int status, std::string message);
  void reset();

  RequestLimits limits_;               // what one request may take
  http_parser parser_;                 // the parser's state
  http_parser_settings settings_;      // its callbacks
  HttpRequest request_;                // being parsed
  std::string field_;                  // the header name being read
  std::string value_;                  // its value
  bool in_value_ = false;              // the last callback was a value
  std::size_t head_bytes_ = 0;         // bytes of the head so far
  bool complete_ = false;              // request_ is whole
  std::optional<RequestError> error_;  // the stream is broken
};

}  // namespace swarm::web
