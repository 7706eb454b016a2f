#include "protocol/builtin/http/http_reply_parser.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace swarm::protocol::builtin::http {
namespace {

using State = ReplyParser::State;

/// Bytes shown either side of where a reply went wrong.
constexpr std::size_t kContext = 24;

/// `bytes` as a quoted, printable excerpt: "HTTP/1.1 2x0 OK\r\n".
std::string printable(std::string_view bytes) {
  std::string out = "\"";
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

HttpReplyParser& owner(http_parser* parser) {
  return *static_cast<HttpReplyParser*>(parser->data);
}

}  // namespace

const http_parser_settings HttpReplyParser::kSettings = [] {
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_headers_complete = &HttpReplyParser::on_headers_complete;
  settings.on_message_complete = &HttpReplyParser::on_message_complete;
  return settings;
}();

HttpReplyParser::HttpReplyParser(bool head) noexcept : head_(head) {
  restart();
}

void HttpReplyParser::restart() noexcept {
  http_parser_init(&parser_, HTTP_RESPONSE);
  parser_.data = this;
  complete_ = false;
}

void HttpReplyParser::begin() {
  restart();
  fed_ = 0;
  status_ = 0;
  interim_ = 0;
  keep_alive_ = false;
  error_.clear();
}

int HttpReplyParser::on_headers_complete(http_parser* parser) {
  // 1: the response has no body, whatever Content-Length or
  // Transfer-Encoding say: an answer to HEAD, a 1xx, 204 or 304 (RFC 9112
  // 6.3; http-parser 2.9 would read a 304's Content-Length as a body).
  const unsigned status = parser->status_code;
  const bool bodiless = status / 100 == 1 || status == 204 || status == 304;
  return owner(parser).head_ || bodiless ? 1 : 0;
}

int HttpReplyParser::on_message_complete(http_parser* parser) {
  HttpReplyParser& self = owner(parser);
  self.complete_ = true;
  self.status_ = static_cast<std::uint16_t>(parser->status_code);
  self.keep_alive_ = http_should_keep_alive(parser) != 0 && parser->upgrade == 0;
  // Stop right after it: what follows is the next reply's.
  http_parser_pause(parser, 1);
  return 0;
}

ReplyParser::Step HttpReplyParser::feed(std::string_view data) {
  std::size_t used = 0;
  for (;;) {
    complete_ = false;
    const std::size_t took =
        http_parser_execute(&parser_, &kSettings, data.data() + used, data.size() - used);
    used += took;
    fed_ += took;
    if (!complete_) {
      if (HTTP_PARSER_ERRNO(&parser_) == HPE_OK) return {data.size(), State::need_more};
      describe_error(data, used);
      return {used, State::invalid};
    }
    // An interim response (100 Continue, 103 Early Hints): the final one
    // follows, in this reply. 101 Switching Protocols is final.
    if (status_ >= 100 && status_ < 200 && status_ != 101) {
      ++interim_;
      restart();
      if (used == data.size()) return {used, State::need_more};
      continue;
    }
    return {used, State::done};
  }
}

bool HttpReplyParser::ends_at_close() {
  complete_ = false;
  // No bytes: http-parser's way of saying the stream ended. A body that runs
  // to the close is complete now; anything else was cut short.
  http_parser_execute(&parser_, &kSettings, nullptr, 0);
  if (!complete_ || (status_ >= 100 && status_ < 200 && status_ != 101)) return false;
  keep_alive_ = false;
  return true;
}

void HttpReplyParser::describe_error(std::string_view data, std::size_t at) {
  // http-parser stops at the offending byte: show it with some bytes around.
  const auto code = static_cast<http_errno>(HTTP_PARSER_ERRNO(&parser_));
  const std::size_t from = at > kContext ? at - kContext : 0;
  error_ = fmt::format("HTTP reply: {} ({}) at offset {} of the reply, near {}",
                       http_errno_description(code), http_errno_name(code), fed_,
                       printable(data.substr(from, std::min(at, data.size()) - from + kContext)));
}

}  // namespace swarm::protocol::builtin::http
