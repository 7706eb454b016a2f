// HTTP messages as the control endpoint sees them: a parsed request and the
// response a handler returns. No I/O here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swarm::web {

/// One request, parsed and decoded.
struct HttpRequest {
  std::string method;                          // "GET", "POST", ...
  std::string target;                          // as sent: "/api/incr?n=200"
  std::string path;                            // percent-decoded: "/api/incr"
  std::map<std::string, std::string> query;    // decoded query parameters (last one wins)
  std::map<std::string, std::string> headers;  // names in lower case; repeats joined by ", "
  std::string body;                            // the body, whole
  bool keep_alive = true;                      // the client wants the connection kept
  std::string peer;                            // "127.0.0.1:53122", for logs

  /// A header's value, or nullopt. `name` in lower case.
  std::optional<std::string_view> header(const std::string& name) const;
  /// A query parameter's value, or nullopt.
  std::optional<std::string_view> param(const std::string& name) const;
};

/// What a handler answers.
struct HttpResponse {
  int status = 200;                                          // HTTP status code
  std::string content_type = "text/plain; charset=utf-8";    // Content-Type
  std::string body;                                          // the body
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  bool event_stream = false;  // turn the connection into a server-sent event stream

  /// A JSON body ("application/json").
  static HttpResponse json(int status, std::string body);
  /// {"ok": false, "error": message} with `status`.
  static HttpResponse json_error(int status, std::string_view message);
  /// A plain text body.
  static HttpResponse text(int status, std::string body);
};

/// "OK", "Not Found", ... ("Unknown" for codes this server never sends).
std::string_view status_text(int status);

/// The response's head and body as bytes for the wire (HTTP/1.1). An event
/// stream gets its head only, with no length: its events follow.
std::string serialize(const HttpResponse& response, bool keep_alive);

/// `text` with %XX sequences decoded (and '+' as a space when `plus_space`);
/// nullopt when a % sequence is malformed.
std::optional<std::string> percent_decode(std::string_view text, bool plus_space);

/// `a=1&b=two` decoded into a map; nullopt when a part is malformed.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

/// A JSON string literal (with quotes) for `text`; invalid UTF-8 is
/// replaced by U+FFFD.
std::string json_string(std::string_view text);

}  // namespace swarm::web
