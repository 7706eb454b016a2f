// MemcachedParser: where a memcached text-protocol reply ends. A reply is
// lines up to the first that is not a `VALUE <key> <flags> <bytes> [<cas>]`
// header; each VALUE line is followed by <bytes> of data and "\r\n". So a
// get's reply ends at END, and every other reply (STORED, NOT_FOUND, a
// number, an error) is its one line. Only a line's first bytes are kept (to
// read a VALUE header split across reads); data is skipped, never copied.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "swarm/reply_parser.hpp"

namespace swarm::protocol::builtin::memcached {

class MemcachedParser final : public ReplyParser {
 public:
  /// A value larger than this is refused (memcached's item limit is 1 MiB
  /// by default, at most 1 GiB).
  static constexpr std::uint64_t kMaxValue = std::uint64_t{1} << 30;

  void begin() override;
  Step feed(std::string_view data) override;
  std::string error() const override { return error_; }

 private:
  enum class Phase : std::uint8_t { line, data };
  /// A line ended: a VALUE header starts a data block, anything else ends
  /// the reply. False when it is invalid.
  bool end_line();

  Phase phase_ = Phase::line;     // what the next bytes are
  std::array<char, 320> line_{};  // the current line's first bytes
  std::size_t line_size_ = 0;     // bytes of the current line seen
  bool pending_cr_ = false;       // the last byte was '\r'
  std::uint64_t data_left_ = 0;   // data bytes (and the "\r\n") still to skip
  bool done_ = false;             // the reply is complete
  std::string error_;             // why it was invalid
};

}  // namespace swarm::protocol::builtin::memcached
