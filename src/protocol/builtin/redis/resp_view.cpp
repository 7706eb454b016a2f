#include "protocol/builtin/redis/resp_view.hpp"

#include <charconv>

namespace swarm::protocol::builtin::redis {
namespace {

std::optional<std::int64_t> number(std::string_view text) noexcept {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view first_word(std::string_view text) noexcept {
  const std::size_t end = text.find_first_of(" \r\n");
  return text.substr(0, end);
}

}  // namespace

bool RespCursor::line(std::string_view& out) noexcept {
  const std::size_t end = data_.find("\r\n");
  if (end == std::string_view::npos) return false;
  out = data_.substr(0, end);
  data_.remove_prefix(end + 2);
  return true;
}

bool RespCursor::aggregate(char& type, std::int64_t& count) noexcept {
  std::string_view header;
  if (data_.empty() || !line(header) || header.empty()) return false;
  type = header[0];
  auto value = number(header.substr(1));
  if (!value) return false;
  count = *value;
  return type == '*' || type == '>' || type == '~' || type == '%';
}

bool RespCursor::string(std::string_view& out) noexcept {
  std::string_view header;
  if (data_.empty() || !line(header) || header.empty()) return false;
  if (header[0] == '+') {
    out = header.substr(1);
    return true;
  }
  auto length = header[0] == '$' ? number(header.substr(1)) : std::nullopt;
  if (!length || *length < 0 || data_.size() < static_cast<std::size_t>(*length) + 2) return false;
  out = data_.substr(0, static_cast<std::size_t>(*length));
  data_.remove_prefix(static_cast<std::size_t>(*length) + 2);
  return true;
}

std::optional<std::string_view> error_word(std::string_view reply) noexcept {
  if (reply.starts_with('-')) return first_word(reply.substr(1));
  if (reply.starts_with('!')) {
    const std::size_t body = reply.find("\r\n");
    if (body != std::string_view::npos) return first_word(reply.substr(body + 2));
  }
  return std::nullopt;
}

bool is_nil(std::string_view reply) noexcept {
  return reply == "$-1\r\n" || reply == "*-1\r\n" || reply == "_\r\n";
}

std::optional<PubSubMessage> pubsub_message(std::string_view reply) noexcept {
  RespCursor cursor(reply);
  char type = 0;
  std::int64_t count = 0;
  PubSubMessage message;
  if (!cursor.aggregate(type, count) || (type != '*' && type != '>')) return std::nullopt;
  if (count < 3 || !cursor.string(message.kind)) return std::nullopt;
  if (message.kind == "pmessage") {
    std::string_view pattern;
    if (count != 4 || !cursor.string(pattern)) return std::nullopt;
  } else if (count != 3) {
    return std::nullopt;
  }
  // A confirmation's third element is a count (`:1`), not a string.
  if (!cursor.string(message.channel)) return std::nullopt;
  if (is_delivery(message.kind) && !cursor.string(message.payload)) return std::nullopt;
  return message;
}

bool is_delivery(std::string_view kind) noexcept {
  return kind == "message" || kind == "pmessage" || kind == "smessage";
}

}  // namespace swarm::protocol::builtin::redis
