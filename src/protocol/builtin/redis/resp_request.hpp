// RespRequest: a Redis command as RESP words (`*N\r\n` then `$len\r\nword\r\n`
// each), bound once: fixed words are encoded at load, merged into runs;
// words with substitutions or a stamp are rendered per request.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/builtin/payload.hpp"

namespace swarm::protocol::builtin::redis {

class RespRequest {
 public:
  /// Adds a fixed word.
  RespRequest& word(std::string_view text);
  /// Adds a word rendered per request (fixed ones are encoded now).
  RespRequest& word(Payload text);

  /// Whether every render is the same.
  bool is_constant() const noexcept;
  /// Appends the request.
  void render(std::string& out, const Substitutions& with) const;

 private:
  using Part = std::variant<std::string, Payload>;  // encoded bytes, or a word to render
  std::vector<Part> parts_;                         // after the `*N` header
  std::size_t words_ = 0;                           // N
};

/// One fixed command, encoded: resp({"PING"}) == "*1\r\n$4\r\nPING\r\n".
std::string resp(std::initializer_list<std::string_view> words);

}  // namespace swarm::protocol::builtin::redis
