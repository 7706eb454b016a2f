// ReplyReader: finds the replies in one connection's byte stream, across
// reads. It knows nothing of sockets: the connection reads into the worker's
// shared buffer and hands the bytes over; the reader frames them with the
// command's ReplyParser and keeps, per connection, only what must outlive
// that buffer (`Spill`): a reply that spans reads, and bytes past the end of
// a reply (the next pipelined reply, or what the server pushed).
//
// A reply that arrives whole in one read is handed back as a view into the
// read buffer: no copy, and no memory kept by the connection.
//
// The same spill keeps, rarely, bytes going the other way: what a push
// handler sent with send_now() that the socket did not take at once.
//
// Pushes (messages the server sends unasked) go to a PushSink, when the
// module has one: between commands through take_pushes(), and while a reply
// is awaited when the sink recognises a framed message as a push. A push cut
// short by a read stays buffered and is finished before the next reply, so it
// never corrupts it.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "swarm/reply_parser.hpp"

namespace swarm::engine {

/// Where a reader hands the messages a server pushes. The framer is shared
/// (one per worker): the reader never leaves partial state in it across
/// reads, it frames a cut push again from its start when more bytes come.
class PushSink {
 public:
  virtual ~PushSink() = default;
  /// Frames one pushed message.
  virtual ReplyParser& framer() = 0;
  /// Whether a message framed while a reply was awaited is a push (taken
  /// out of the stream) rather than the reply.
  virtual bool is_push(std::string_view message) = 0;
  /// One complete pushed message; the view is valid during the call only.
  virtual void on_push(std::string_view message) = 0;
};

class ReplyReader {
 public:
  /// What framing found so far.
  struct Step {
    ReplyParser::State state;  // need_more: feed() more bytes; done: `reply` is
                               // complete; invalid: the parser rejected them
    std::string_view reply;    // with done: the whole reply, valid until the
                               // next call on this reader or the next read
  };
  /// What take_pushes() found.
  enum class PushState : bool { ok, invalid };

  ReplyReader();
  ~ReplyReader();
  ReplyReader(ReplyReader&&) noexcept;
  ReplyReader& operator=(ReplyReader&&) noexcept;

  /// Starts the next reply: begins `parser` and frames the bytes already
  /// buffered (a pipelined reply may be complete without a read).
  Step begin(ReplyParser& parser, PushSink* pushes = nullptr);
  /// Frames `received`, bytes just read into a buffer the caller reuses
  /// (what the reply does not take is copied). Never empty.
  Step feed(ReplyParser& parser, std::string_view received, PushSink* pushes = nullptr);

  /// The server closed the stream while a reply was awaited: done, with
  /// every byte fed since begin(), when `parser` frames replies by the
  /// close too (a CloseFramedParser: an HTTP body without a length) and
  /// says this one is complete; need_more otherwise (the reply was cut).
  Step end_of_stream(ReplyParser& parser);

  /// Between replies: hands every complete pushed message in the buffered
  /// bytes and in `received` (just read) to `pushes`, and keeps a cut one.
  PushState take_pushes(PushSink& pushes, std::string_view received = {});

  /// Frees the spill when it holds nothing still needed (call before a new
  /// request: the last reply's view dies here).
  void release_if_empty() noexcept;
  /// After a command (its replies are done with): frees the spill, or when
  /// bytes are still buffered (a push cut short, a pipelined reply) keeps
  /// only them, so a big reply's buffer does not outlive it.
  void shrink() noexcept;
  /// Forgets everything (the connection closed).
  void clear() noexcept;

  /// Bytes sent with send_now() that the socket has not taken yet.
  std::string_view unsent() const noexcept;
  /// Keeps `bytes` to send after the unsent ones.
  void keep_unsent(std::string_view bytes);
  /// The socket took the first `bytes` unsent bytes.
  void drop_unsent(std::size_t bytes) noexcept;
  /// Bytes this reader keeps (usually none).
  std::size_t memory_bytes() const noexcept;
  /// Bytes of the stream it holds now: the reply assembled so far and what
  /// is buffered unframed (a push cut short, the next reply). What
  /// --max-reply bounds.
  std::size_t held_bytes() const noexcept;
  /// Whether any received bytes wait to be framed.
  bool has_unread() const noexcept;

 private:
  struct Spill;
  Step frame(ReplyParser& parser, std::string_view data, bool buffered, PushSink* pushes);
  std::string_view assemble(std::string_view part, bool complete);
  void keep_rest(std::string_view rest, bool buffered, std::size_t consumed);
  PushState frame_pushes(PushSink& pushes, std::size_t limit);
  void append(std::string_view received);
  Spill& spill();

  std::unique_ptr<Spill> spill_;  // bytes kept across reads, rarely
};

}  // namespace swarm::engine
