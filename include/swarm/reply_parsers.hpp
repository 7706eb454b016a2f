// The built-in reply parsers: native objects, so that finding where a reply
// ends stays in C++ on the hot path. Lua modules get them through
// require("swarm"); native modules use them directly (a parser object local to
// the command, reused for each reply: no allocation). Each keeps only the few bytes of state a
// split reply needs (a pending '\r', a partial match, a partial header) and
// never copies the stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "swarm/reply_parser.hpp"
#include "swarm/resp_parser.hpp"

namespace swarm::protocol {

/// A reply is one line ending at the first "\r\n" (included). A '\r' not
/// followed by '\n' is part of the line, even across chunks.
class CrlfParser final : public ReplyParser {
 public:
  void begin() override { pending_cr_ = false; }
  Step feed(std::string_view data) override;

 private:
  bool pending_cr_ = false;  // the last byte seen was a '\r'
};

/// A reply is exactly `length` bytes.
class LengthParser final : public ReplyParser {
 public:
  explicit LengthParser(std::size_t length = 0) : length_(length), remaining_(length) {}
  /// Changes the length of the next replies (takes effect at begin()).
  void set_length(std::size_t length) noexcept { length_ = length; }
  void begin() override { remaining_ = length_; }
  Step feed(std::string_view data) override;

 private:
  std::size_t length_;     // bytes per reply
  std::size_t remaining_;  // bytes of the current reply still to come
};

/// A delimiter and its KMP failure table, computed once and shared by every
/// parser that looks for it.
class DelimiterPattern {
 public:
  /// Throws std::invalid_argument for an empty delimiter.
  explicit DelimiterPattern(std::string delimiter);
  const std::string& text() const noexcept { return text_; }
  /// Length of the longest proper prefix of text()[0..i] that is also its
  /// suffix: where a match resumes after a mismatch at i + 1.
  std::size_t fallback(std::size_t i) const noexcept { return fallback_[i]; }

 private:
  std::string text_;                   // the delimiter bytes, never empty
  std::vector<std::size_t> fallback_;  // KMP failure function of text_
};

/// A reply ends right after the first occurrence of a delimiter (included),
/// which may be split across chunks.
class DelimiterParser final : public ReplyParser {
 public:
  /// Owns its pattern. Throws std::invalid_argument for an empty delimiter.
  explicit DelimiterParser(std::string delimiter);
  /// Borrows `pattern`, which must outlive the parser's use of it.
  explicit DelimiterParser(const DelimiterPattern* pattern) noexcept : pattern_(pattern) {}
  DelimiterParser(const DelimiterParser&) = delete;
  DelimiterParser& operator=(const DelimiterParser&) = delete;

  /// Looks for another pattern from the next begin() on (borrowed).
  void use(const DelimiterPattern* pattern) noexcept { pattern_ = pattern; }
  void begin() override { matched_ = 0; }
  Step feed(std::string_view data) override;

 private:
  std::optional<DelimiterPattern> owned_;  // the pattern when built from a string
  const DelimiterPattern* pattern_;        // what to look for
  std::size_t matched_ = 0;                // delimiter bytes matched at the end
                                           // of what was fed so far
};

/// How a length-prefixed frame is laid out:
///   [offset bytes][length field: `bytes` wide][body]
/// and frame size = offset + bytes + value + adjust, where value is the
/// length field read with `endian`. So a length counting only the body has
/// adjust = 0, and one counting the whole frame has adjust = -(offset + bytes).
struct PrefixedFormat {
  enum class Endian : std::uint8_t { big, little };
  int bytes = 4;                                  // width of the length field: 1, 2, 4 or 8
  Endian endian = Endian::big;                    // byte order of the length field
  std::size_t offset = 0;                         // frame bytes before the length field
  std::int64_t adjust = 0;                        // added to the value to get the rest
  std::size_t max_frame = std::size_t{64} << 20;  // larger frames are invalid

  /// Why this format is unusable, or empty when it is fine.
  std::string problem() const;
};

/// A reply is one length-prefixed frame (see PrefixedFormat).
class PrefixedParser final : public ReplyParser {
 public:
  /// Throws std::invalid_argument when format.problem() is not empty.
  explicit PrefixedParser(PrefixedFormat format = {});
  /// Changes the format of the next replies (already validated).
  void set_format(const PrefixedFormat& format) noexcept { format_ = format; }
  void begin() override;
  Step feed(std::string_view data) override;
  std::string error() const override { return error_; }

 private:
  /// Turns the length field into the frame's remaining byte count.
  bool finish_header();

  PrefixedFormat format_;                 // the frame layout
  std::array<unsigned char, 8> field_{};  // length field bytes read so far
  std::size_t header_seen_ = 0;           // bytes of offset + field read so far
  std::size_t body_remaining_ = 0;        // frame bytes after the header still to come
  std::string error_;                     // why the last frame was invalid
};

}  // namespace swarm::protocol
