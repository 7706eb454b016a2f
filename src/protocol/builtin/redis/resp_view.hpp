// Reading whole RESP replies (already framed by RespParser): what kind of
// answer a reply is (an error and its first word, a nil), and the parts of
// a pub/sub message. Views into the reply, no copies.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace swarm::protocol::builtin::redis {

/// Reads RESP elements one after another from a framed reply.
class RespCursor {
 public:
  explicit RespCursor(std::string_view data) noexcept : data_(data) {}
  /// An aggregate header (`*`, `>`, `~`, `%`): its type and count.
  bool aggregate(char& type, std::int64_t& count) noexcept;
  /// A bulk (`$`) or simple (`+`) string.
  bool string(std::string_view& out) noexcept;

 private:
  bool line(std::string_view& out) noexcept;  // up to "\r\n", which is skipped
  std::string_view data_;                     // what is left
};

/// The first word of an error reply (`-ERR ...`, RESP3 `!len\r\nERR ...`),
/// without its dash: "ERR", "WRONGTYPE", "MOVED". Nothing for other replies.
std::optional<std::string_view> error_word(std::string_view reply) noexcept;

/// Whether the reply is a nil (`$-1`, `*-1`, RESP3 `_`).
bool is_nil(std::string_view reply) noexcept;

/// A message delivered to a subscriber.
struct PubSubMessage {
  std::string_view kind;     // "message", "pmessage", "smessage" (or a
                             // confirmation: "subscribe", ...)
  std::string_view channel;  // where it was published
  std::string_view payload;  // what was published
};

/// The parts of a pub/sub array or RESP3 push (`*3 message channel payload`,
/// `*4 pmessage pattern channel payload`); nothing when the reply is not one.
std::optional<PubSubMessage> pubsub_message(std::string_view reply) noexcept;

/// Whether `kind` is a delivered message (not a (un)subscribe confirmation).
bool is_delivery(std::string_view kind) noexcept;

}  // namespace swarm::protocol::builtin::redis
