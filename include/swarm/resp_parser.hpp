// A Redis reply parser (RESP2 and RESP3) that finds where a reply ends
// without copying or buffering: it walks the stream byte by byte for headers
// and skips bulk bodies, keeping only the counts of open (nested) aggregates.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "swarm/reply_parser.hpp"

namespace swarm::protocol {

/// One RESP2 reply: +simple, -error, :integer, $bulk (and $-1), *array
/// (nested, and *-1); or RESP3: _null, #boolean, ,double, (big number,
/// !blob error, =verbatim, ~set, >push, %map, |attribute (with the value it
/// describes). Streamed (`$?`) replies are not taken.
class RespParser final : public ReplyParser {
 public:
  static constexpr std::size_t kMaxDepth = 32;                       // deeper arrays are invalid
  static constexpr std::int64_t kMaxBulk = std::int64_t{512} << 20;  // Redis' limit

  void begin() override;
  Step feed(std::string_view data) override;
  std::string error() const override { return error_; }

 private:
  enum class Phase : std::uint8_t {
    type,       // expecting a type byte
    line,       // inside a +, - or : line, until "\r\n"
    number,     // inside the length of a $ or *, until "\r\n"
    bulk_body,  // inside a bulk string's bytes
    bulk_cr,    // expecting the '\r' after a bulk string
    bulk_lf,    // expecting the '\n' after a bulk string
  };

  /// Handles the byte at data[i] (not in bulk_body); false when invalid.
  bool step(char byte);
  bool step_number(char byte);
  bool end_number();
  /// One whole element ended: closes the arrays it completes.
  void element_done();
  bool fail(std::string message);

  Phase phase_ = Phase::type;                   // where in the grammar we are
  char kind_ = 0;                               // type byte of the element being read
  bool pending_cr_ = false;                     // line/number: the last byte was '\r'
  bool negative_ = false;                       // number: a '-' was read
  int digits_ = 0;                              // number: digits read
  std::int64_t number_ = 0;                     // number: value so far
  std::int64_t bulk_remaining_ = 0;             // bulk_body: bytes still to skip
  std::size_t depth_ = 0;                       // open arrays
  std::array<std::int64_t, kMaxDepth> left_{};  // elements still due per open array
  bool done_ = false;                           // the reply is complete
  std::string error_;                           // why the reply was invalid
};

}  // namespace swarm::protocol
