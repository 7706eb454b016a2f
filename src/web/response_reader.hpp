// ResponseReader: one HTTP/1.1 response parsed out of a byte stream by
// Node's http-parser (Debian's libhttp-parser), the same parser the server
// side uses for requests: status, headers, and the body whether it comes
// with a length, chunked, or up to the end of the connection. It never
// touches a socket: its tests feed it streams cut anywhere.
#pragma once

#include <http_parser.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace swarm::web {

/// A response as a client reads it.
struct HttpReply {
  int status = 0;                              // HTTP status code
  std::map<std::string, std::string> headers;  // names in lower case; repeats joined by ", "
  std::string body;                            // the body, whole (chunks joined)

  /// A header's value, or nullopt. `name` in lower case.
  std::optional<std::string_view> header(const std::string& name) const;
};

class ResponseReader {
 public:
  /// `max_body`: a longer body is an error (a peer must not fill our memory).
  explicit ResponseReader(std::size_t max_body);
  ResponseReader(const ResponseReader&) = delete;
  ResponseReader& operator=(const ResponseReader&) = delete;

  /// Feeds bytes read from the connection. After an error or a complete
  /// response, further bytes are ignored.
  void feed(std::string_view bytes);
  /// The peer closed the connection: a body that runs to the end of the
  /// connection is complete now; anything else cut short is an error.
  void finish();
  /// A whole response is ready.
  bool complete() const noexcept { return complete_; }
  /// What is wrong with the stream, once something is.
  const std::optional<std::string>& error() const noexcept { return error_; }
  /// The whole response (once complete()).
  HttpReply take() { return std::move(reply_); }

 private:
  static int on_header_field(http_parser* parser, const char* at, std::size_t length);
  static int on_header_value(http_parser* parser, const char* at, std::size_t length);
  static int on_headers_complete(http_parser* parser);
  static int on_body(http_parser* parser, const char* at, std::size_t length);
  static int on_message_complete(http_parser* parser);
  void store_header();
  void check(std::size_t used, std::size_t given);

  std::size_t max_body_;              // the longest body taken
  http_parser parser_;                // the parser's state
  http_parser_settings settings_;     // its callbacks
  HttpReply reply_;                   // being parsed
  std::string field_;                 // the header name being read
  std::string value_;                 // its value
  bool in_value_ = false;             // the last callback was a value
  bool complete_ = false;             // reply_ is whole
  std::optional<std::string> error_;  // the stream is broken
};

}  // namespace swarm::web
