// TextTemplate: a built-in protocol's text arg (a key, a channel, a path,
// a value), compiled once when the plan is loaded and rendered per request
// without allocating. Substitutions:
//   {id}          the connection's id (unique in the run)
//   {seq}         a per-connection counter, one step per request
//   {rand:LO-HI}  a uniform whole number, both ends included (LO <= HI,
//                 both >= 0)
// Any other text in braces is kept as written (Redis Cluster hash tags such
// as "user:{42}:name" stay as they are).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plan/value.hpp"
#include "swarm/client.hpp"

namespace swarm::protocol::builtin {

/// The values a request's substitutions take: one per request.
struct Substitutions {
  std::uint64_t id = 0;      // {id}
  std::uint64_t seq = 0;     // {seq}
  Client* random = nullptr;  // draws {rand:LO-HI}
};

class TextTemplate {
 public:
  TextTemplate() = default;
  /// Compiles `text` written at `where`. Throws BindError for a {rand:...}
  /// that is not LO-HI, naming `what` (e.g. "command 'set' arg 'key'").
  static TextTemplate compile(std::string_view text, plan::SourceLocation where,
                              std::string_view what);
  /// Text without substitutions.
  static TextTemplate literal(std::string_view text);

  /// Whether it renders the same every time (no substitutions).
  bool is_constant() const noexcept { return pieces_.empty(); }
  /// The text, when is_constant().
  const std::string& constant() const noexcept { return text_; }
  /// Appends the text with substitutions made from `with`. Allocates
  /// nothing once `out` has grown to size.
  void render(std::string& out, const Substitutions& with) const;

 private:
  /// A substitution, at an offset into the literal text.
  struct Piece {
    enum class Kind : std::uint8_t { id, seq, rand };
    std::uint32_t at;        // where in text_ it goes
    Kind kind;               // what it is
    std::uint64_t lo = 0;    // rand: the lowest value
    std::uint64_t span = 0;  // rand: how many values (hi - lo + 1; 0 means 2^64)
  };

  std::string text_;           // the literal text, substitutions taken out
  std::vector<Piece> pieces_;  // in order of `at`
};

}  // namespace swarm::protocol::builtin
