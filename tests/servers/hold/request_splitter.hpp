// RequestSplitter: cuts a byte stream into redis requests, inline
// (`PING\r\n`) or RESP arrays (`*1\r\n$4\r\nPING\r\n`), without interpreting
// them beyond their first word. Enough for redis-benchmark and swarm's redis
// modules to drive the hold server.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace hold {

/// One complete request: its first word, upper-cased ("PING").
struct Request {
  std::string command;  // the first word or the array's first element, upper-cased
};

class RequestSplitter {
 public:
  /// Appends bytes as they arrive.
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  /// The next complete request, or nullopt when more bytes are needed.
  /// A malformed RESP header ends the stream: broken() turns true.
  std::optional<Request> next();
  /// The client sent something that is not redis: close it.
  bool broken() const noexcept { return broken_; }

 private:
  std::optional<Request> next_inline();
  std::optional<Request> next_array();

  std::string buffer_;   // bytes received, not yet cut
  std::size_t at_ = 0;   // first byte of buffer_ not yet consumed
  bool broken_ = false;  // a malformed RESP header was seen
};

}  // namespace hold
