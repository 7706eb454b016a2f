#include "request_splitter.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace hold {
namespace {

std::string upper(std::string_view word) {
  std::string out(word);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

/// The number after a one-byte prefix on the line [begin, end), if any.
std::optional<long> header_number(std::string_view line) {
  long value = 0;
  auto [end, error] = std::from_chars(line.data() + 1, line.data() + line.size(), value);
  if (error != std::errc() || end != line.data() + line.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Request> RequestSplitter::next() {
  if (broken_) return std::nullopt;
  // Forget consumed bytes now and then, not on every request.
  if (at_ > 4096 && at_ * 2 > buffer_.size()) {
    buffer_.erase(0, at_);
    at_ = 0;
  }
  if (at_ >= buffer_.size()) return std::nullopt;
  return buffer_[at_] == '*' ? next_array() : next_inline();
}

std::optional<Request> RequestSplitter::next_inline() {
  const std::size_t newline = buffer_.find('\n', at_);
  if (newline == std::string::npos) return std::nullopt;
  std::string_view line(buffer_.data() + at_, newline - at_);
  at_ = newline + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) return Request{""};
  line.remove_prefix(start);
  return Request{upper(line.substr(0, line.find(' ')))};
}

std::optional<Request> RequestSplitter::next_array() {
  std::size_t pos = at_;
  // The line starting at `pos`, without CRLF; advances pos past it.
  auto line_at = [&](std::size_t& from) -> std::optional<std::string_view> {
    const std::size_t end = buffer_.find("\r\n", from);
    if (end == std::string::npos) return std::nullopt;
    std::string_view line(buffer_.data() + from, end - from);
    from = end + 2;
    return line;
  };
  const auto header = line_at(pos);
  if (!header) return std::nullopt;
  const auto count = header_number(*header);
  if (!count) {
    broken_ = true;
    return std::nullopt;
  }
  std::string first;
  for (long i = 0; i < *count; ++i) {
    const auto length_line = line_at(pos);
    if (!length_line) return std::nullopt;
    const auto length = length_line->empty() || length_line->front() != '$'
                            ? std::nullopt
                            : header_number(*length_line);
    if (!length) {
      broken_ = true;
      return std::nullopt;
    }
    const std::size_t size = static_cast<std::size_t>(*length);
    if (buffer_.size() < pos + size + 2) return std::nullopt;
    if (i == 0) first = upper(std::string_view(buffer_.data() + pos, size));
    pos += size + 2;
  }
  at_ = pos;
  return Request{std::move(first)};
}

}  // namespace hold
