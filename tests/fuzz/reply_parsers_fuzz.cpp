// Every built-in reply parser, fed a stream the way the engine feeds it:
// in pieces of any size, starting a new reply after each one ends. Where the
// replies end, and whether the stream is rejected, must not depend on the
// pieces (seastar's chunked-parser tests, by the fuzzer); every step keeps
// the ReplyParser contract.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/builtin/http/http_reply_parser.hpp"
#include "swarm/reply_parsers.hpp"
#include "swarm/resp_parser.hpp"
#include "swarm/websocket.hpp"

namespace {

using swarm::ReplyParser;
namespace protocol = swarm::protocol;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

/// Where each reply of `stream` ends (an offset), and -1 at the end if the
/// parser rejected the stream, feeding it `chunk` bytes at a time.
std::vector<long> replies_of(ReplyParser& parser, std::string_view stream, std::size_t chunk) {
  std::vector<long> ends;
  parser.begin();
  std::size_t at = 0;
  while (at < stream.size()) {
    const std::string_view piece = stream.substr(at, chunk);
    const ReplyParser::Step step = parser.feed(piece);
    check(step.consumed <= piece.size());
    at += step.consumed;
    if (step.state == ReplyParser::State::invalid) {
      check(!parser.error().empty());
      ends.push_back(-1);
      return ends;
    }
    if (step.state == ReplyParser::State::need_more) {
      check(step.consumed == piece.size());
      continue;
    }
    ends.push_back(static_cast<long>(at));
    if (step.consumed == 0) return ends;  // an empty reply: the stream would not move
    parser.begin();
  }
  return ends;
}

/// The parser the first bytes ask for; they are taken off `input`.
std::unique_ptr<ReplyParser> parser_for(std::string_view& input) {
  if (input.size() < 3) return nullptr;
  // 250 and up: the WebSocket parser; below, first % 6 (5: HTTP).
  const auto first = static_cast<unsigned char>(input[0]);
  const auto kind = first >= 250 ? 6 : first % 6;
  const auto a = static_cast<unsigned char>(input[1]);
  const auto b = static_cast<unsigned char>(input[2]);
  input.remove_prefix(3);
  if (kind == 6) return std::make_unique<swarm::WsParser>(std::uint64_t{a} * 64);
  switch (kind) {
    case 0:
      return std::make_unique<protocol::CrlfParser>();
    case 1:
      return std::make_unique<protocol::LengthParser>(a % 64);
    case 2: {
      const std::size_t length = a % 4 + 1;  // the delimiter: the next 1..4 bytes
      if (input.size() < length) return nullptr;
      auto parser =
          std::make_unique<protocol::DelimiterParser>(std::string(input.substr(0, length)));
      input.remove_prefix(length);
      return parser;
    }
    case 3: {
      protocol::PrefixedFormat format;
      format.bytes = 1 << (a % 4);
      format.endian =
          a & 4 ? protocol::PrefixedFormat::Endian::little : protocol::PrefixedFormat::Endian::big;
      format.offset = (a >> 3) % 4;
      format.adjust = static_cast<std::int64_t>(b % 16) - 8;
      format.max_frame = 1 << 12;
      return std::make_unique<protocol::PrefixedParser>(format);
    }
    case 4:
      return std::make_unique<protocol::RespParser>();
    default:  // HTTP responses, to HEAD when a is odd
      return std::make_unique<protocol::builtin::http::HttpReplyParser>((a & 1) != 0);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (input.empty()) return 0;
  const std::size_t chunk = static_cast<unsigned char>(input[0]) % 17 + 1;
  input.remove_prefix(1);
  std::unique_ptr<ReplyParser> parser = parser_for(input);
  if (!parser) return 0;
  const std::vector<long> whole = replies_of(*parser, input, input.size() + 1);
  check(replies_of(*parser, input, chunk) == whole);
  check(replies_of(*parser, input, 1) == whole);
  if (dynamic_cast<swarm::WsParser*>(parser.get()) != nullptr) {
    // Every framed message reads back whole: its frames end where it does.
    std::size_t from = 0;
    std::string scratch;
    for (const long end : whole) {
      if (end < 0) break;
      const std::string_view message = input.substr(from, static_cast<std::size_t>(end) - from);
      const swarm::WsMessage read = swarm::ws_read_message(message, scratch);
      check(read.frames > 0);
      from = static_cast<std::size_t>(end);
    }
  }
  return 0;
}
