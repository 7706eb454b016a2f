#include "protocol/builtin/redis/resp_request.hpp"

#include <charconv>

namespace swarm::protocol::builtin::redis {
namespace {

void append_header(std::string& out, char type, std::size_t count) {
  char digits[24];
  digits[0] = type;
  auto [end, error] = std::to_chars(digits + 1, digits + sizeof digits - 2, count);
  static_cast<void>(error);
  *end++ = '\r';
  *end++ = '\n';
  out.append(digits, end);
}

void append_word(std::string& out, std::string_view word) {
  append_header(out, '$', word.size());
  out.append(word);
  out += "\r\n";
}

}  // namespace

RespRequest& RespRequest::word(std::string_view text) {
  if (parts_.empty() || !std::holds_alternative<std::string>(parts_.back())) {
    parts_.emplace_back(std::string());
  }
  append_word(std::get<std::string>(parts_.back()), text);
  ++words_;
  return *this;
}

RespRequest& RespRequest::word(Payload text) {
  if (text.is_constant()) return word(text.constant());
  parts_.emplace_back(std::move(text));
  ++words_;
  return *this;
}

bool RespRequest::is_constant() const noexcept {
  for (const Part& part : parts_) {
    if (!std::holds_alternative<std::string>(part)) return false;
  }
  return true;
}

void RespRequest::render(std::string& out, const Substitutions& with) const {
  append_header(out, '*', words_);
  for (const Part& part : parts_) {
    if (const auto* bytes = std::get_if<std::string>(&part)) {
      out += *bytes;
      continue;
    }
    // The length goes before the word: render it, then put the header in
    // front (a move of the word's bytes, which were just written).
    const std::size_t at = out.size();
    std::get<Payload>(part).render(out, with);
    char digits[24];
    digits[0] = '$';
    auto [end, error] = std::to_chars(digits + 1, digits + sizeof digits - 2, out.size() - at);
    static_cast<void>(error);
    *end++ = '\r';
    *end++ = '\n';
    out.insert(at, digits, static_cast<std::size_t>(end - digits));
    out += "\r\n";
  }
}

std::string resp(std::initializer_list<std::string_view> words) {
  std::string out;
  append_header(out, '*', words.size());
  for (std::string_view word : words) append_word(out, word);
  return out;
}

}  // namespace swarm::protocol::builtin::redis
