#include "swarm/resp_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace swarm::protocol {

using State = ReplyParser::State;

namespace {

/// Types whose value is the rest of the line: simple string, error,
/// integer; RESP3 null, boolean, double, big number.
bool is_line_type(char byte) {
  return byte == '+' || byte == '-' || byte == ':' || byte == '_' || byte == '#' || byte == ',' ||
         byte == '(';
}
/// Types with a length and that many bytes: bulk string; RESP3 blob error
/// and verbatim string.
bool is_bulk_type(char byte) {
  return byte == '$' || byte == '!' || byte == '=';
}
/// Types with a count of elements: array; RESP3 set, push, map, attribute.
bool is_aggregate_type(char byte) {
  return byte == '*' || byte == '~' || byte == '>' || byte == '%' || byte == '|';
}

}  // namespace

void RespParser::begin() {
  phase_ = Phase::type;
  pending_cr_ = false;
  depth_ = 0;
  done_ = false;
  error_.clear();
}

ReplyParser::Step RespParser::feed(std::string_view data) {
  // Most replies are one short line (+OK, :1, -ERR ...) that came whole:
  // found with one memchr, without the byte-by-byte walk.
  if (phase_ == Phase::type && depth_ == 0 && !data.empty() && is_line_type(data[0])) {
    const void* lf = std::memchr(data.data(), '\n', data.size());
    if (lf != nullptr) {
      const auto end = static_cast<std::size_t>(static_cast<const char*>(lf) - data.data());
      if (end > 0 && data[end - 1] == '\r' && std::memchr(data.data(), '\r', end - 1) == nullptr) {
        done_ = true;
        return {end + 1, State::done};
      }
    }
  }
  std::size_t i = 0;
  while (i < data.size()) {
    if (phase_ == Phase::bulk_body) {
      auto take = static_cast<std::int64_t>(
          std::min(static_cast<std::size_t>(bulk_remaining_), data.size() - i));
      bulk_remaining_ -= take;
      i += static_cast<std::size_t>(take);
      if (bulk_remaining_ == 0) phase_ = Phase::bulk_cr;
      continue;
    }
    if (phase_ == Phase::line && !pending_cr_) {
      // Most of a line is plain text: jump to its '\r'.
      const void* cr = std::memchr(data.data() + i, '\r', data.size() - i);
      if (cr == nullptr) return {data.size(), State::need_more};
      i = static_cast<std::size_t>(static_cast<const char*>(cr) - data.data());
    }
    if (!step(data[i++])) return {i, State::invalid};
    if (done_) return {i, State::done};
  }
  return {data.size(), State::need_more};
}

bool RespParser::step(char byte) {
  switch (phase_) {
    case Phase::type:
      kind_ = byte;
      pending_cr_ = false;
      if (is_line_type(byte)) {
        phase_ = Phase::line;
      } else if (is_bulk_type(byte) || is_aggregate_type(byte)) {
        phase_ = Phase::number;
        negative_ = false;
        digits_ = 0;
        number_ = 0;
      } else {
        return fail(
            fmt::format("RESP: unexpected type byte 0x{:02x}", static_cast<unsigned char>(byte)));
      }
      return true;
    case Phase::line:
      if (pending_cr_ && byte == '\n') {
        element_done();
      } else {
        pending_cr_ = byte == '\r';
      }
      return true;
    case Phase::number:
      return step_number(byte);
    case Phase::bulk_cr:
      phase_ = Phase::bulk_lf;
      return byte == '\r' || fail("RESP: bulk string not followed by \\r\\n");
    case Phase::bulk_lf:
      if (byte != '\n') return fail("RESP: bulk string not followed by \\r\\n");
      element_done();
      return true;
    case Phase::bulk_body:
      break;
  }
  return true;
}

bool RespParser::step_number(char byte) {
  if (pending_cr_) {
    if (byte != '\n') return fail("RESP: '\\r' not followed by '\\n' after a length");
    return end_number();
  }
  if (byte == '\r') {
    pending_cr_ = true;
  } else if (byte == '-' && digits_ == 0 && !negative_) {
    negative_ = true;
  } else if (byte >= '0' && byte <= '9' && digits_ < 12) {
    number_ = number_ * 10 + (byte - '0');
    ++digits_;
  } else {
    return fail(fmt::format("RESP: bad length byte 0x{:02x} after '{}'",
                            static_cast<unsigned char>(byte), kind_));
  }
  return true;
}

bool RespParser::end_number() {
  pending_cr_ = false;
  if (digits_ == 0) return fail(fmt::format("RESP: missing length after '{}'", kind_));
  std::int64_t value = negative_ ? -number_ : number_;
  if (value < -1) return fail(fmt::format("RESP: negative length {} after '{}'", value, kind_));
  if (is_bulk_type(kind_)) {
    if (value > kMaxBulk) return fail(fmt::format("RESP: bulk length {} is too large", value));
    if (value == -1) {
      element_done();
    } else {
      bulk_remaining_ = value;
      phase_ = value == 0 ? Phase::bulk_cr : Phase::bulk_body;
    }
    return true;
  }
  if (value <= 0) {
    element_done();
    return true;
  }
  if (depth_ == kMaxDepth) return fail("RESP: arrays nested too deep");
  // A map holds key and value per entry; an attribute's entries come before
  // the value they describe, which completes it.
  if (kind_ == '%') value *= 2;
  if (kind_ == '|') value = value * 2 + 1;
  left_[depth_++] = value;
  phase_ = Phase::type;
  return true;
}

void RespParser::element_done() {
  phase_ = Phase::type;
  while (depth_ > 0) {
    if (--left_[depth_ - 1] > 0) return;
    --depth_;
  }
  done_ = true;
}

bool RespParser::fail(std::string message) {
  error_ = std::move(message);
  return false;
}

}  // namespace swarm::protocol
