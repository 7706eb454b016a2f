#include "swarm/reply_parsers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <utility>

namespace swarm::protocol {

using State = ReplyParser::State;

ReplyParser::Step CrlfParser::feed(std::string_view data) {
  std::size_t from = 0;
  if (pending_cr_) {
    pending_cr_ = false;
    if (data[0] == '\n') return {1, State::done};
  }
  while (from < data.size()) {
    const void* found = std::memchr(data.data() + from, '\r', data.size() - from);
    if (found == nullptr) break;
    std::size_t cr = static_cast<const char*>(found) - data.data();
    if (cr + 1 == data.size()) {
      pending_cr_ = true;
      break;
    }
    if (data[cr + 1] == '\n') return {cr + 2, State::done};
    from = cr + 1;
  }
  return {data.size(), State::need_more};
}

ReplyParser::Step LengthParser::feed(std::string_view data) {
  std::size_t take = std::min(remaining_, data.size());
  remaining_ -= take;
  return {take, remaining_ == 0 ? State::done : State::need_more};
}

DelimiterPattern::DelimiterPattern(std::string delimiter)
    : text_(std::move(delimiter)), fallback_(text_.size(), 0) {
  if (text_.empty()) throw std::invalid_argument("the reply delimiter is empty");
  std::size_t k = 0;
  for (std::size_t i = 1; i < text_.size(); ++i) {
    while (k > 0 && text_[i] != text_[k]) k = fallback_[k - 1];
    if (text_[i] == text_[k]) ++k;
    fallback_[i] = k;
  }
}

DelimiterParser::DelimiterParser(std::string delimiter)
    : owned_(std::in_place, std::move(delimiter)), pattern_(&*owned_) {}

ReplyParser::Step DelimiterParser::feed(std::string_view data) {
  const std::string& text = pattern_->text();
  std::size_t i = 0;
  while (i < data.size()) {
    if (matched_ == 0) {
      // Nothing matched yet: jump to the next possible start.
      const void* found = std::memchr(data.data() + i, text[0], data.size() - i);
      if (found == nullptr) return {data.size(), State::need_more};
      i = static_cast<const char*>(found) - data.data();
    }
    char byte = data[i];
    while (matched_ > 0 && byte != text[matched_]) matched_ = pattern_->fallback(matched_ - 1);
    if (byte == text[matched_]) ++matched_;
    ++i;
    if (matched_ == text.size()) return {i, State::done};
  }
  return {data.size(), State::need_more};
}

std::string PrefixedFormat::problem() const {
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8) {
    return fmt::format("length field width must be 1, 2, 4 or 8 bytes, not {}", bytes);
  }
  if (offset > max_frame) return fmt::format("offset {} exceeds max frame {}", offset, max_frame);
  return {};
}

PrefixedParser::PrefixedParser(PrefixedFormat format) : format_(format) {
  if (std::string problem = format_.problem(); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
}

void PrefixedParser::begin() {
  header_seen_ = 0;
  body_remaining_ = 0;
}

bool PrefixedParser::finish_header() {
  std::uint64_t value = 0;
  auto width = static_cast<std::size_t>(format_.bytes);
  for (std::size_t i = 0; i < width; ++i) {
    std::size_t at = format_.endian == PrefixedFormat::Endian::big ? i : width - 1 - i;
    value = (value << 8) | field_[at];
  }
  constexpr auto kHuge = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() / 4);
  auto header = static_cast<std::int64_t>(format_.offset + width);
  auto frame = value > kHuge ? std::numeric_limits<std::int64_t>::max()
                             : header + static_cast<std::int64_t>(value) + format_.adjust;
  if (frame < header) {
    error_ = fmt::format("frame length {} with adjust {} is shorter than its {}-byte header", value,
                         format_.adjust, header);
    return false;
  }
  if (static_cast<std::uint64_t>(frame) > format_.max_frame) {
    error_ = fmt::format("frame length {} exceeds the {}-byte limit", value, format_.max_frame);
    return false;
  }
  body_remaining_ = static_cast<std::size_t>(frame - header);
  return true;
}

ReplyParser::Step PrefixedParser::feed(std::string_view data) {
  std::size_t header = format_.offset + static_cast<std::size_t>(format_.bytes);
  std::size_t i = 0;
  if (header_seen_ < header) {
    // Skip what is before the field, keep the field's bytes.
    while (i < data.size() && header_seen_ < header) {
      if (header_seen_ >= format_.offset) {
        field_[header_seen_ - format_.offset] = static_cast<unsigned char>(data[i]);
      }
      ++header_seen_;
      ++i;
    }
    if (header_seen_ < header) return {data.size(), State::need_more};
    if (!finish_header()) return {i, State::invalid};
  }
  std::size_t take = std::min(body_remaining_, data.size() - i);
  body_remaining_ -= take;
  i += take;
  return {i, body_remaining_ == 0 ? State::done : State::need_more};
}

}  // namespace swarm::protocol
