// WebSocket framing (RFC 6455) for protocol modules: building the masked
// frames a client sends (ws_frame), framing what a server sends into whole
// messages (WsParser, the reply parser of swarm.reply_parser_ws()), and
// reading the frames of a framed message (WsFrames). The built-in
// `protocol: websocket` is made of these; Lua modules get them as
// swarm.ws_frame(), swarm.reply_parser_ws() and swarm.ws_decode(), native
// modules from this header.
//
// A "message" as WsParser frames it is one unit of the stream:
//   - a control frame on its own (close, ping, pong), or
//   - a data message: a text or binary frame, its continuation frames up to
//     the one with FIN set, and any control frames the server put between
//     them (RFC 6455 5.4 lets it).
// The parser never copies and keeps a few bytes of state (a header cut by a
// read); the engine hands a message found whole in one read as a view into
// its read buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "swarm/reply_parser.hpp"

namespace swarm {

/// A frame's opcode (RFC 6455 5.2).
enum class WsOpcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// "text", "binary", "close", "ping", "pong", "continuation" (or "opcode 0x3").
std::string ws_opcode_name(WsOpcode opcode);

/// Whether `opcode` is a control frame's (close, ping, pong).
constexpr bool ws_is_control(WsOpcode opcode) noexcept {
  return (static_cast<std::uint8_t>(opcode) & 0x8) != 0;
}

/// Appends one client frame to `out`: its header (FIN set when `fin`), the
/// masking key `mask_key` (the client must mask every frame; take the key
/// from Client::random()), and `payload` masked with it.
void ws_append_frame(std::string& out, std::string_view payload, WsOpcode opcode,
                     std::uint32_t mask_key, bool fin = true);

/// The frame ws_append_frame() appends, as a new string.
std::string ws_frame(std::string_view payload, WsOpcode opcode, std::uint32_t mask_key);

/// Appends a masked close frame with `code` (RFC 6455 7.4; 0: no code and
/// no reason) and a `reason` (cut to what fits in 123 bytes).
void ws_append_close(std::string& out, std::uint16_t code, std::string_view reason,
                     std::uint32_t mask_key);

/// XORs `size` bytes at `data` with `mask_key` (its first byte first), as
/// if they started `offset` bytes into a payload. Masking twice unmasks.
void ws_mask(char* data, std::size_t size, std::uint32_t mask_key, std::size_t offset = 0) noexcept;

/// Where `text` stops being UTF-8 (RFC 3629, as RFC 6455 8.1 asks of text
/// messages and close reasons: no overlong forms, no surrogates, nothing
/// above U+10FFFF, no sequence cut short): the offset of the first byte of
/// the first bad sequence, or std::string_view::npos when all of it is.
std::size_t ws_utf8_error_at(std::string_view text) noexcept;

/// The description of a close code: "normal closure", "internal error", ...
/// (RFC 6455 7.4.1; "application" for 3000-4999; "unknown" otherwise).
const char* ws_close_code_name(std::uint16_t code) noexcept;

/// Frames one message a server sends (see above). Server frames must not be
/// masked; reserved bits must be clear (no extension is negotiated); control
/// frames are whole (FIN) and at most 125 bytes; a continuation must follow
/// a data frame and a data frame must not start inside a message. A frame
/// or a message longer than its limit is invalid at once, when its header
/// says so. error() says what was wrong and at which byte of the message.
class WsParser final : public ReplyParser {
 public:
  /// The largest message (and frame) taken unless set otherwise.
  static constexpr std::uint64_t kDefaultMaxMessage = std::uint64_t{64} << 20;

  explicit WsParser(std::uint64_t max_message = kDefaultMaxMessage) noexcept
      : max_message_(max_message) {}
  /// Changes the limit for the next messages.
  void set_max_message(std::uint64_t bytes) noexcept { max_message_ = bytes; }

  void begin() override;
  Step feed(std::string_view data) override;
  std::string error() const override { return error_; }

 private:
  /// The header in header_ is complete: checks it; false when invalid.
  bool take_header();
  Step fail(std::string what, std::size_t consumed);

  std::uint64_t max_message_;        // payload bytes a message may carry
  std::uint64_t payload_left_ = 0;   // of the current frame, still to come
  std::uint64_t message_bytes_ = 0;  // payload of the data frames so far
  std::uint64_t offset_ = 0;         // bytes of the message seen so far
  std::uint64_t frame_start_ = 0;    // offset_ where the current frame began
  unsigned char header_[14] = {};    // the current frame's header so far
  std::uint8_t header_seen_ = 0;     // bytes of it read
  std::uint8_t header_size_ = 2;     // bytes it takes (known after 2)
  bool in_payload_ = false;          // reading a payload, not a header
  bool in_message_ = false;          // a data message started, FIN not seen
  bool last_frame_ = false;          // the current frame ends the message
  std::string error_;                // why the stream was invalid
};

/// One frame of a message framed by WsParser.
struct WsFrame {
  WsOpcode opcode = WsOpcode::continuation;  // as sent (continuation frames keep 0)
  bool fin = false;                          // the last frame of its message
  std::string_view payload;                  // unmasked payload (server frames)
};

/// Walks the frames of one message framed by WsParser (it was checked
/// then, so walking cannot fail on it; bytes that are not such a message
/// end the walk early: next() returns false).
class WsFrames {
 public:
  explicit WsFrames(std::string_view message) noexcept : rest_(message) {}
  /// The next frame, or false at the end.
  bool next(WsFrame& frame) noexcept;

 private:
  std::string_view rest_;  // frames not walked yet
};

/// What a message framed by WsParser says, read in one go.
struct WsMessage {
  WsOpcode opcode = WsOpcode::continuation;  // text or binary, or the control frame's
  std::string_view payload;                  // the data (fragments joined), or the
                                             // control frame's payload
  std::uint16_t close_code = 0;              // close: the code (0 when none was sent)
  std::string_view close_reason;             // close: the reason text
  std::uint32_t pings = 0;                   // pings the server put inside the message
  std::uint32_t frames = 0;                  // frames in all
};

/// Reads `message` (framed by WsParser). The payload is a view into the
/// message when it is one frame, else the fragments joined in `scratch`.
WsMessage ws_read_message(std::string_view message, std::string& scratch);

}  // namespace swarm
