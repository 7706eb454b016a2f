// swarm::ReplyParser: tells the engine where one reply ends in the byte
// stream. The engine reads ahead from the socket into its own buffer and hands
// the parser everything it has; the parser says how much of it belongs to the
// current reply. Bytes past the end stay buffered for the next reply.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace swarm {

/// Finds the end of one reply in a stream of bytes. One parser object is
/// reused for many replies: begin() is called before each.
class ReplyParser {
 public:
  /// What feed() found.
  enum class State {
    need_more,  // every byte given belongs to the reply, and more must come
    done,       // the reply ends after `consumed` bytes
    invalid,    // the bytes cannot be a reply; error() says why
  };
  /// The answer of one feed() call.
  struct Step {
    std::size_t consumed;  // bytes of the given data that belong to the reply
    State state;           // whether the reply is complete
  };

  virtual ~ReplyParser() = default;

  /// Forgets any partial reply: the next feed() starts a new one.
  virtual void begin() = 0;

  /// Takes the next bytes of the stream (never empty). Returns how many of
  /// them belong to the current reply and whether it is complete. With
  /// need_more, `consumed` equals `data.size()`.
  virtual Step feed(std::string_view data) = 0;

  /// After feed() returned State::invalid: what was wrong, for the report.
  virtual std::string error() const { return "invalid reply"; }
};

/// A ReplyParser whose replies may also end where the server closes the
/// connection: an HTTP response without a length, whose body runs to the
/// close. Without it, a close in the middle of a reply is a failure.
class CloseFramedParser : public ReplyParser {
 public:
  /// The server closed the connection after the bytes fed so far, in the
  /// middle of a reply (at least begin() was called): whether the close
  /// completes that reply (true: it is every byte fed since begin()), or
  /// cuts it short (false: counted as `closed`).
  virtual bool ends_at_close() = 0;
};

}  // namespace swarm
