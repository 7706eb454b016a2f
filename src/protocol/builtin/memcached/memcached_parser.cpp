#include "protocol/builtin/memcached/memcached_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

namespace swarm::protocol::builtin::memcached {

using State = ReplyParser::State;

void MemcachedParser::begin() {
  phase_ = Phase::line;
  line_size_ = 0;
  pending_cr_ = false;
  data_left_ = 0;
  done_ = false;
  error_.clear();
}

ReplyParser::Step MemcachedParser::feed(std::string_view data) {
  std::size_t i = 0;
  while (i < data.size()) {
    if (phase_ == Phase::data) {
      const auto take =
          static_cast<std::size_t>(std::min<std::uint64_t>(data_left_, data.size() - i));
      data_left_ -= take;
      i += take;
      if (data_left_ == 0) phase_ = Phase::line;
      continue;
    }
    const char byte = data[i++];
    if (pending_cr_ && byte == '\n') {
      if (!end_line()) return {i, State::invalid};
      if (done_) return {i, State::done};
      continue;
    }
    pending_cr_ = byte == '\r';
    if (!pending_cr_ && line_size_ < line_.size()) line_[line_size_] = byte;
    if (!pending_cr_) ++line_size_;
  }
  return {data.size(), State::need_more};
}

bool MemcachedParser::end_line() {
  pending_cr_ = false;
  const std::size_t kept = std::min(line_size_, line_.size());
  const std::string_view line(line_.data(), kept);
  line_size_ = 0;
  if (!line.starts_with("VALUE ")) {
    done_ = true;  // END, or a one-line reply
    return true;
  }
  // VALUE <key> <flags> <bytes> [<cas>]: the fourth word is the size.
  std::size_t at = 0;
  std::string_view words[4];
  for (std::string_view& word : words) {
    const std::size_t end = line.find(' ', at);
    word = line.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    at = end == std::string_view::npos ? line.size() : end + 1;
  }
  std::uint64_t bytes = 0;
  auto [end, problem] = std::from_chars(words[3].data(), words[3].data() + words[3].size(), bytes);
  if (kept == line_.size() || problem != std::errc() || end != words[3].data() + words[3].size() ||
      words[3].empty() || bytes > kMaxValue) {
    error_ = fmt::format("memcached: bad VALUE line '{}'", line.substr(0, 80));
    return false;
  }
  data_left_ = bytes + 2;  // the data and its "\r\n"
  phase_ = Phase::data;
  return true;
}

}  // namespace swarm::protocol::builtin::memcached
