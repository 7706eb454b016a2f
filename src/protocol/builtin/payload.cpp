#include "protocol/builtin/payload.hpp"

#include <fmt/format.h>

#include "core/stamp.hpp"

namespace swarm::protocol::builtin {

std::optional<Payload> Payload::read(const ArgReader& args, std::string_view text_name,
                                     bool stamp) {
  const bool has_text = args.has(text_name);
  const bool has_size = args.has("size");
  if (has_text && has_size) {
    args.fail("size", fmt::format("give either '{}' or 'size', not both", text_name));
  }
  if (!has_text && !has_size) return std::nullopt;
  Payload made;
  made.stamped_ = stamp;
  if (has_text) {
    made.text_ =
        TextTemplate::compile(*args.text(text_name), args.where(text_name), args.what(text_name));
    return made;
  }
  const auto least = static_cast<std::int64_t>(stamp ? core::kStampSize : 0);
  const std::int64_t size = args.integer("size", least, kMaxSize, 0);
  made.text_ = TextTemplate::literal(filler_bytes(static_cast<std::size_t>(size - least)));
  return made;
}

Payload Payload::literal(std::string_view bytes) {
  Payload made;
  made.text_ = TextTemplate::literal(bytes);
  return made;
}

void Payload::render(std::string& out, const Substitutions& with) const {
  if (stamped_) {
    const std::size_t at = out.size();
    out.resize(at + core::kStampSize);
    core::write_stamp(out.data() + at, core::unix_now_ns());
  }
  text_.render(out, with);
}

std::string filler_bytes(std::size_t size) {
  // Letters from a fixed sequence: not all one byte (a server that
  // compresses should not find it trivial), the same in every run.
  std::string bytes(size, 'x');
  std::uint32_t state = 2463534242u;
  for (char& byte : bytes) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<char>('a' + state % 26);
  }
  return bytes;
}

}  // namespace swarm::protocol::builtin
