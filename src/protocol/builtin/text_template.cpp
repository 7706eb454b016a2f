#include "protocol/builtin/text_template.hpp"

#include <fmt/format.h>

#include <charconv>
#include <optional>

#include "protocol/builtin/arg_reader.hpp"

namespace swarm::protocol::builtin {
namespace {

__extension__ typedef unsigned __int128 Wide;  // for a 64x64 -> 128-bit multiply

/// Reads a whole number that is all of `text`.
bool whole(std::string_view text, std::uint64_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

void append_number(std::string& out, std::uint64_t value) {
  char digits[20];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits, value);
  static_cast<void>(error);
  out.append(digits, end);
}

}  // namespace

TextTemplate TextTemplate::literal(std::string_view text) {
  TextTemplate made;
  made.text_.assign(text);
  return made;
}

TextTemplate TextTemplate::compile(std::string_view text, plan::SourceLocation where,
                                   std::string_view what) {
  TextTemplate made;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t first = text.find('{', at);
    const std::size_t close = first == std::string_view::npos ? first : text.find('}', first);
    if (close == std::string_view::npos) break;
    // The innermost braces: a JSON body's own braces around `{"n": {seq}}`
    // stay as written, the substitution inside them is made.
    const std::size_t open = text.rfind('{', close);
    made.text_.append(text.substr(at, open - at));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const auto here = static_cast<std::uint32_t>(made.text_.size());
    if (name == "id") {
      made.pieces_.push_back({here, Piece::Kind::id});
    } else if (name == "seq") {
      made.pieces_.push_back({here, Piece::Kind::seq});
    } else if (name.starts_with("rand:")) {
      const std::string_view range = name.substr(5);
      const std::size_t dash = range.find('-');
      std::uint64_t lo = 0;
      std::uint64_t hi = 0;
      if (dash == std::string_view::npos || !whole(range.substr(0, dash), lo) ||
          !whole(range.substr(dash + 1), hi) || lo > hi) {
        throw BindError(where, fmt::format("{}: bad substitution '{{{}}}' (expected "
                                           "{{rand:LO-HI}}, whole numbers, LO <= HI)",
                                           what, name));
      }
      made.pieces_.push_back({here, Piece::Kind::rand, lo, hi - lo + 1});
    } else {
      made.text_.append(text.substr(open, close - open + 1));  // not ours: as written
    }
    at = close + 1;
  }
  made.text_.append(text.substr(std::min(at, text.size())));
  return made;
}

void TextTemplate::render(std::string& out, const Substitutions& with) const {
  std::size_t done = 0;
  for (const Piece& piece : pieces_) {
    out.append(text_, done, piece.at - done);
    done = piece.at;
    switch (piece.kind) {
      case Piece::Kind::id:
        append_number(out, with.id);
        break;
      case Piece::Kind::seq:
        append_number(out, with.seq);
        break;
      case Piece::Kind::rand: {
        const std::uint64_t bits = with.random->random();
        // Multiply-shift maps 64 random bits onto the span without a division
        // (bias below span / 2^64).
        const std::uint64_t offset =
            piece.span == 0
                ? bits
                : static_cast<std::uint64_t>((static_cast<Wide>(bits) * piece.span) >> 64);
        append_number(out, piece.lo + offset);
        break;
      }
    }
  }
  out.append(text_, done, std::string::npos);
}

}  // namespace swarm::protocol::builtin
