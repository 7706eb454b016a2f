// Payload: the data a built-in command carries (a redis value, a published
// message, an HTTP body), given in the plan either as text (with the
// substitutions of TextTemplate) or as `size: N`: N bytes made once when the
// plan is loaded, so a large value costs nothing per request. With `stamp`,
// each request's payload starts with swarm's send stamp (core/stamp.hpp),
// for publish-to-receive latency; the stamp counts towards `size`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "protocol/builtin/arg_reader.hpp"
#include "protocol/builtin/text_template.hpp"

namespace swarm::protocol::builtin {

class Payload {
 public:
  /// The most bytes `size` may ask for.
  static constexpr std::int64_t kMaxSize = std::int64_t{64} << 20;

  /// The payload given by arg `text_name` or by `size`; nothing when
  /// neither is given. Throws BindError when both are, or `size` is out of
  /// range (or too small for the stamp).
  static std::optional<Payload> read(const ArgReader& args, std::string_view text_name,
                                     bool stamp = false);
  /// Just these bytes.
  static Payload literal(std::string_view bytes);
  /// Text with substitutions (a key, a channel) as a payload.
  explicit Payload(TextTemplate text = {}, bool stamped = false) noexcept
      : text_(std::move(text)), stamped_(stamped) {}

  /// Whether every render is the same (no substitutions, no stamp).
  bool is_constant() const noexcept { return !stamped_ && text_.is_constant(); }
  /// The bytes, when is_constant().
  const std::string& constant() const noexcept { return text_.constant(); }
  /// Appends the payload (a fresh stamp first, when stamped).
  void render(std::string& out, const Substitutions& with) const;

 private:
  TextTemplate text_;     // the text, or the bytes made for `size`
  bool stamped_ = false;  // a send stamp goes first
};

/// `size` bytes of printable filler, the same for the same size.
std::string filler_bytes(std::size_t size);

}  // namespace swarm::protocol::builtin
