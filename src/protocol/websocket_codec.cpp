// WebSocket framing (RFC 6455): client frames built masked, server frames
// framed into messages. Written here rather than taken from libwslay: see
// DESIGN.md, "WebSocket" (wslay keeps a 4 KiB input buffer in every frame
// context and pulls bytes through a recv callback; swarm frames in its one
// shared read buffer, a few bytes of state per connection).
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "swarm/websocket.hpp"

namespace swarm {
namespace {

using State = ReplyParser::State;

bool known_opcode(unsigned opcode) noexcept {
  return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

/// The extended length field's width for a 7-bit length.
unsigned length_bytes(unsigned len7) noexcept {
  return len7 == 126 ? 2 : (len7 == 127 ? 8 : 0);
}

std::uint64_t read_be(const unsigned char* bytes, unsigned width) noexcept {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < width; ++i) value = value << 8 | bytes[i];
  return value;
}

/// What is wrong with a frame's first two bytes (in a message where a data
/// frame has started when `in_message`), or nothing.
std::string first_bytes_problem(unsigned char b0, unsigned char b1, bool in_message) {
  const unsigned opcode = b0 & 0x0F;
  if ((b0 & 0x70) != 0) {
    return fmt::format("reserved bits set (0x{:02x}) and no extension was agreed", b0 & 0x70);
  }
  if (!known_opcode(opcode)) return fmt::format("unknown opcode 0x{:x}", opcode);
  if ((b1 & 0x80) != 0) return "a masked frame (a server must not mask, RFC 6455 5.1)";
  const auto op = static_cast<WsOpcode>(opcode);
  const bool fin = (b0 & 0x80) != 0;
  if (ws_is_control(op)) {
    if (!fin)
      return fmt::format("a fragmented {} frame (control frames are whole)", ws_opcode_name(op));
    if ((b1 & 0x7F) > 125) {
      return fmt::format("a {} frame longer than 125 bytes", ws_opcode_name(op));
    }
    return {};
  }
  if (op == WsOpcode::continuation && !in_message) return "a continuation frame outside a message";
  if (op != WsOpcode::continuation && in_message) {
    return fmt::format("a {} frame inside a fragmented message", ws_opcode_name(op));
  }
  return {};
}

}  // namespace

std::string ws_opcode_name(WsOpcode opcode) {
  switch (opcode) {
    case WsOpcode::continuation:
      return "continuation";
    case WsOpcode::text:
      return "text";
    case WsOpcode::binary:
      return "binary";
    case WsOpcode::close:
      return "close";
    case WsOpcode::ping:
      return "ping";
    case WsOpcode::pong:
      return "pong";
  }
  return fmt::format("opcode 0x{:x}", static_cast<unsigned>(opcode));
}

std::size_t ws_utf8_error_at(std::string_view text) noexcept {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  std::size_t at = 0;
  while (at < size) {
    // Mostly ASCII: eight bytes at a time while none has its top bit set.
    if (at + 8 <= size) {
      std::uint64_t word;
      std::memcpy(&word, bytes + at, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        at += 8;
        continue;
      }
    }
    const unsigned char lead = bytes[at];
    if (lead < 0x80) {
      ++at;
      continue;
    }
    // The lead byte gives the length and the range the second byte must be
    // in (the table of RFC 3629 section 4): that excludes overlong forms,
    // surrogates (ED A0..BF) and code points above U+10FFFF (F4 90..).
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return at;  // a continuation byte first, C0, C1, F5..FF
    }
    if (size - at < length || bytes[at + 1] < low || bytes[at + 1] > high) return at;
    for (std::size_t i = 2; i < length; ++i) {
      if ((bytes[at + i] & 0xC0) != 0x80) return at;
    }
    at += length;
  }
  return std::string_view::npos;
}

const char* ws_close_code_name(std::uint16_t code) noexcept {
  switch (code) {
    case 1000:
      return "normal closure";
    case 1001:
      return "going away";
    case 1002:
      return "protocol error";
    case 1003:
      return "unsupported data";
    case 1005:
      return "no status";
    case 1006:
      return "abnormal closure";
    case 1007:
      return "invalid payload data";
    case 1008:
      return "policy violation";
    case 1009:
      return "message too big";
    case 1010:
      return "mandatory extension";
    case 1011:
      return "internal error";
    case 1012:
      return "service restart";
    case 1013:
      return "try again later";
    case 1014:
      return "bad gateway";
    case 1015:
      return "TLS handshake";
    default:
      return code >= 3000 && code <= 4999 ? "application" : "unknown";
  }
}

void ws_mask(char* data, std::size_t size, std::uint32_t mask_key, std::size_t offset) noexcept {
  unsigned char key[4] = {
      static_cast<unsigned char>(mask_key >> 24), static_cast<unsigned char>(mask_key >> 16),
      static_cast<unsigned char>(mask_key >> 8), static_cast<unsigned char>(mask_key)};
  std::size_t i = 0;
  // Byte by byte up to a key boundary, then eight bytes at a time.
  for (; i < size && (offset + i) % 4 != 0; ++i)
    data[i] ^= static_cast<char>(key[(offset + i) % 4]);
  unsigned char wide_bytes[8];
  for (int k = 0; k < 8; ++k) wide_bytes[k] = key[k % 4];
  std::uint64_t wide = 0;
  std::memcpy(&wide, wide_bytes, 8);
  for (; i + 8 <= size; i += 8) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, data + i, 8);
    chunk ^= wide;
    std::memcpy(data + i, &chunk, 8);
  }
  for (; i < size; ++i) data[i] ^= static_cast<char>(key[(offset + i) % 4]);
}

void ws_append_frame(std::string& out, std::string_view payload, WsOpcode opcode,
                     std::uint32_t mask_key, bool fin) {
  const std::uint64_t size = payload.size();
  unsigned char header[14];
  std::size_t used = 0;
  header[used++] = static_cast<unsigned char>((fin ? 0x80 : 0) | static_cast<unsigned>(opcode));
  if (size < 126) {
    header[used++] = static_cast<unsigned char>(0x80 | size);
  } else if (size <= 0xFFFF) {
    header[used++] = 0x80 | 126;
    header[used++] = static_cast<unsigned char>(size >> 8);
    header[used++] = static_cast<unsigned char>(size);
  } else {
    header[used++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8) {
      header[used++] = static_cast<unsigned char>(size >> shift);
    }
  }
  for (int shift = 24; shift >= 0; shift -= 8) {
    header[used++] = static_cast<unsigned char>(mask_key >> shift);
  }
  out.append(reinterpret_cast<const char*>(header), used);
  const std::size_t at = out.size();
  out.append(payload);
  ws_mask(out.data() + at, payload.size(), mask_key);
}

std::string ws_frame(std::string_view payload, WsOpcode opcode, std::uint32_t mask_key) {
  std::string out;
  out.reserve(payload.size() + 14);
  ws_append_frame(out, payload, opcode, mask_key);
  return out;
}

void ws_append_close(std::string& out, std::uint16_t code, std::string_view reason,
                     std::uint32_t mask_key) {
  if (code == 0) return ws_append_frame(out, {}, WsOpcode::close, mask_key);
  char body[125];
  body[0] = static_cast<char>(code >> 8);
  body[1] = static_cast<char>(code & 0xFF);
  const std::size_t kept = std::min<std::size_t>(reason.size(), sizeof body - 2);
  if (kept > 0) std::memcpy(body + 2, reason.data(), kept);  // an empty view may be null
  ws_append_frame(out, {body, kept + 2}, WsOpcode::close, mask_key);
}

// ---------------------------------------------------------------- parser

void WsParser::begin() {
  payload_left_ = 0;
  message_bytes_ = 0;
  offset_ = 0;
  frame_start_ = 0;
  header_seen_ = 0;
  header_size_ = 2;
  in_payload_ = false;
  in_message_ = false;
  last_frame_ = false;
}

ReplyParser::Step WsParser::fail(std::string what, std::size_t consumed) {
  error_ = fmt::format("websocket: {}, in the frame at byte {} of the message (header", what,
                       frame_start_);
  for (unsigned i = 0; i < header_seen_ && i < 2; ++i) {
    fmt::format_to(std::back_inserter(error_), " {:02x}", header_[i]);
  }
  error_ += ")";
  return {consumed, State::invalid};
}

bool WsParser::take_header() {
  const unsigned len7 = header_[1] & 0x7F;
  const unsigned width = length_bytes(len7);
  const std::uint64_t length = width == 0 ? len7 : read_be(header_ + 2, width);
  if (width == 8 && (length >> 63) != 0) {
    error_ = "a 64-bit length with its top bit set";
    return false;
  }
  const auto opcode = static_cast<WsOpcode>(header_[0] & 0x0F);
  const bool fin = (header_[0] & 0x80) != 0;
  if (ws_is_control(opcode)) {
    // Alone, a control frame is the whole message; inside a data message it
    // is one of its frames.
    last_frame_ = !in_message_;
  } else {
    if (length > max_message_ || message_bytes_ + length > max_message_) {
      error_ = fmt::format("a message of at least {} bytes, past the limit of {}",
                           message_bytes_ + length, max_message_);
      return false;
    }
    message_bytes_ += length;
    in_message_ = !fin;
    last_frame_ = fin;
  }
  payload_left_ = length;
  return true;
}

ReplyParser::Step WsParser::feed(std::string_view data) {
  std::size_t i = 0;
  while (i < data.size()) {
    if (!in_payload_) {
      if (header_seen_ == 0) frame_start_ = offset_;
      while (header_seen_ < header_size_ && i < data.size()) {
        header_[header_seen_++] = static_cast<unsigned char>(data[i++]);
        ++offset_;
        if (header_seen_ != 2) continue;
        std::string problem = first_bytes_problem(header_[0], header_[1], in_message_);
        if (!problem.empty()) return fail(std::move(problem), i);
        header_size_ = static_cast<std::uint8_t>(2 + length_bytes(header_[1] & 0x7F));
      }
      if (header_seen_ < header_size_) break;
      if (!take_header()) return fail(error_, i);
      header_seen_ = 0;
      header_size_ = 2;
      in_payload_ = true;
    }
    const std::uint64_t take = std::min<std::uint64_t>(payload_left_, data.size() - i);
    i += static_cast<std::size_t>(take);
    offset_ += take;
    payload_left_ -= take;
    if (payload_left_ != 0) break;
    in_payload_ = false;
    if (last_frame_) return {i, State::done};
  }
  return {data.size(), State::need_more};
}

// ---------------------------------------------------------------- reading

bool WsFrames::next(WsFrame& frame) noexcept {
  if (rest_.size() < 2) return false;
  const auto* bytes = reinterpret_cast<const unsigned char*>(rest_.data());
  const unsigned width = length_bytes(bytes[1] & 0x7F);
  const std::size_t header = 2 + width + ((bytes[1] & 0x80) != 0 ? 4 : 0);
  if (rest_.size() < header) return false;
  const std::uint64_t length = width == 0 ? (bytes[1] & 0x7F) : read_be(bytes + 2, width);
  if (length > rest_.size() - header) return false;
  frame.opcode = static_cast<WsOpcode>(bytes[0] & 0x0F);
  frame.fin = (bytes[0] & 0x80) != 0;
  frame.payload = rest_.substr(header, static_cast<std::size_t>(length));
  rest_.remove_prefix(header + static_cast<std::size_t>(length));
  return true;
}

WsMessage ws_read_message(std::string_view message, std::string& scratch) {
  WsMessage out;
  WsFrames frames(message);
  bool joined = false;
  for (WsFrame frame; frames.next(frame);) {
    ++out.frames;
    if (ws_is_control(frame.opcode)) {
      if (frame.opcode == WsOpcode::ping) ++out.pings;
      if (out.opcode != WsOpcode::continuation) continue;  // inside a data message
      out.opcode = frame.opcode;
      out.payload = frame.payload;
      continue;
    }
    if (frame.opcode != WsOpcode::continuation) {
      out.opcode = frame.opcode;
      out.payload = frame.payload;
    } else {
      if (!joined) scratch.assign(out.payload);
      joined = true;
      scratch.append(frame.payload);
    }
  }
  if (joined) out.payload = scratch;
  if (out.opcode == WsOpcode::close && out.payload.size() >= 2) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(out.payload.data());
    out.close_code = static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1]);
    out.close_reason = out.payload.substr(2);
  }
  return out;
}

}  // namespace swarm
