// HttpReplyParser: where an HTTP/1.x response ends in the byte stream, by
// Node's http-parser (Debian's libhttp-parser-dev, the parser wrk uses), fed
// incrementally across reads. The response is framed as HTTP says: by
// Content-Length, by chunked encoding (chunk extensions and trailers
// included), or by the server's close (ends_at_close()); a response to HEAD,
// and 1xx/204/304, have no body. Interim 1xx responses (100 Continue, 103
// Early Hints) belong to the reply: it ends with the final response, whose
// status is kept. Bodies are skipped, never looked at.
#pragma once

#include <http_parser.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "swarm/reply_parser.hpp"

namespace swarm::protocol::builtin::http {

class HttpReplyParser final : public CloseFramedParser {
 public:
  /// `head`: the replies answer HEAD requests (no body, whatever the
  /// headers say).
  explicit HttpReplyParser(bool head = false) noexcept;

  void begin() override;
  Step feed(std::string_view data) override;
  bool ends_at_close() override;
  std::string error() const override { return error_; }

  /// After a complete reply: the final response's status code.
  unsigned status() const noexcept { return status_; }
  /// After a complete reply: whether the connection may carry the next
  /// request (no `Connection: close`, HTTP/1.1 or a kept-alive HTTP/1.0,
  /// not framed by the close, not switched to another protocol).
  bool keep_alive() const noexcept { return keep_alive_; }
  /// Interim (1xx) responses that came before the final one.
  unsigned interim() const noexcept { return interim_; }

 private:
  static int on_headers_complete(http_parser* parser);
  static int on_message_complete(http_parser* parser);
  static const http_parser_settings kSettings;
  void restart() noexcept;
  /// Notes why the bytes are no reply: http-parser's words, and where.
  void describe_error(std::string_view data, std::size_t at);

  http_parser parser_{};       // http-parser's state
  std::uint64_t fed_ = 0;      // bytes of this reply taken so far
  std::uint16_t status_ = 0;   // the final response's status
  std::uint16_t interim_ = 0;  // 1xx responses before it
  bool head_;                  // answers to HEAD: no bodies
  bool complete_ = false;      // a response ended in the last execute
  bool keep_alive_ = false;    // see keep_alive()
  std::string error_;          // why the bytes were rejected
};

}  // namespace swarm::protocol::builtin::http
