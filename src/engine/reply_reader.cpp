#include "engine/reply_reader.hpp"

#include <string>

namespace swarm::engine {

using State = ReplyParser::State;

namespace {

constexpr std::size_t kAll = static_cast<std::size_t>(-1);

/// What deliver_pushes() did.
struct Delivered {
  std::size_t used = 0;  // bytes taken by the pushes handed over
  bool cut = false;      // it stopped at a push that is not complete yet
  bool invalid = false;  // the framer rejected the stream
};

/// Hands the complete pushes at the start of `data` to `pushes`, at most
/// `limit` of them.
Delivered deliver_pushes(PushSink& pushes, std::string_view data, std::size_t limit) {
  Delivered done;
  for (std::size_t count = 0; count < limit && done.used < data.size(); ++count) {
    ReplyParser& framer = pushes.framer();
    framer.begin();
    ReplyParser::Step step = framer.feed(data.substr(done.used));
    // An empty push would never end: as bad as bytes the framer rejects.
    done.invalid =
        step.state == State::invalid || (step.state == State::done && step.consumed == 0);
    done.cut = step.state == State::need_more;
    if (done.invalid || done.cut) break;
    pushes.on_push(data.substr(done.used, step.consumed));
    done.used += step.consumed;
  }
  return done;
}

}  // namespace

/// Bytes a connection keeps between reads.
struct ReplyReader::Spill {
  std::string unread;         // received, not yet framed
  std::size_t unread_at = 0;  // first byte of `unread` not yet framed
  std::string reply;          // the current reply, when it spans reads
  std::string unsent;         // sent with send_now(), not yet taken by the socket
  bool cut_push = false;      // `unread` starts with a push cut short by a read

  std::string_view pending() const { return std::string_view(unread).substr(unread_at); }
};

ReplyReader::ReplyReader() = default;
ReplyReader::~ReplyReader() = default;
ReplyReader::ReplyReader(ReplyReader&&) noexcept = default;
ReplyReader& ReplyReader::operator=(ReplyReader&&) noexcept = default;

ReplyReader::Spill& ReplyReader::spill() {
  if (!spill_) spill_ = std::make_unique<Spill>();
  return *spill_;
}

ReplyReader::Step ReplyReader::begin(ReplyParser& parser, PushSink* pushes) {
  parser.begin();
  if (!spill_) return {State::need_more, {}};
  spill_->reply.clear();
  // A cut push must be finished (by feed()) before the reply can start.
  if (spill_->cut_push || spill_->pending().empty()) return {State::need_more, {}};
  return frame(parser, spill_->pending(), true, pushes);
}

ReplyReader::Step ReplyReader::feed(ReplyParser& parser, std::string_view received,
                                    PushSink* pushes) {
  if (!spill_ || !spill_->cut_push) return frame(parser, received, false, pushes);
  // The bytes finish a push first; what follows may be the reply.
  append(received);
  if (pushes == nullptr || frame_pushes(*pushes, 1) == PushState::invalid) {
    return {State::invalid, {}};
  }
  if (spill_->cut_push || spill_->pending().empty()) return {State::need_more, {}};
  return frame(parser, spill_->pending(), true, pushes);
}

ReplyReader::Step ReplyReader::frame(ReplyParser& parser, std::string_view data, bool buffered,
                                     PushSink* pushes) {
  for (;;) {
    ReplyParser::Step step = parser.feed(data);
    if (step.state == State::invalid) return {State::invalid, {}};
    const bool complete = step.state == State::done;
    std::string_view reply = assemble(data.substr(0, step.consumed), complete);
    keep_rest(data.substr(step.consumed), buffered, step.consumed);
    if (!complete) return {State::need_more, {}};
    if (pushes == nullptr || !pushes->is_push(reply)) return {State::done, reply};
    // A push came before the reply: hand it over and frame what follows.
    pushes->on_push(reply);
    parser.begin();
    if (!spill_) return {State::need_more, {}};
    spill_->reply.clear();
    if (spill_->pending().empty()) return {State::need_more, {}};
    data = spill_->pending();
    buffered = true;
  }
}

std::string_view ReplyReader::assemble(std::string_view part, bool complete) {
  // A reply found whole in one piece is handed back in place, uncopied.
  const bool assembling = spill_ && !spill_->reply.empty();
  if (complete && !assembling) return part;
  spill().reply.append(part);
  return spill_->reply;
}

void ReplyReader::keep_rest(std::string_view rest, bool buffered, std::size_t consumed) {
  if (buffered) {
    spill_->unread_at += consumed;
  } else if (!rest.empty()) {
    // The read buffer is reused by the next read: what follows the reply
    // (the next one, or a push) must be copied to survive it.
    Spill& kept = spill();
    kept.unread.assign(rest);
    kept.unread_at = 0;
  }
}

ReplyReader::Step ReplyReader::end_of_stream(ReplyParser& parser) {
  // Rare (a close in the middle of a reply): the cast costs nothing per reply.
  auto* framed = dynamic_cast<CloseFramedParser*>(&parser);
  if (framed == nullptr || (spill_ && spill_->cut_push) || !framed->ends_at_close()) {
    return {State::need_more, {}};
  }
  // A reply not complete is assembled in the spill, whole (see frame()).
  return {State::done, spill_ ? std::string_view(spill_->reply) : std::string_view()};
}

ReplyReader::PushState ReplyReader::take_pushes(PushSink& pushes, std::string_view received) {
  if (spill_ && !spill_->pending().empty()) {
    append(received);
    return frame_pushes(pushes, kAll);
  }
  // Nothing kept: frame in the read buffer, and copy only a cut push.
  Delivered done = deliver_pushes(pushes, received, kAll);
  if (done.invalid) return PushState::invalid;
  if (done.cut) {
    append(received.substr(done.used));
    spill_->cut_push = true;
  }
  return PushState::ok;
}

ReplyReader::PushState ReplyReader::frame_pushes(PushSink& pushes, std::size_t limit) {
  Spill& kept = *spill_;
  Delivered done = deliver_pushes(pushes, kept.pending(), limit);
  if (done.invalid) return PushState::invalid;
  kept.unread_at += done.used;
  // A cut push is framed again from its start when more bytes come.
  kept.cut_push = done.cut;
  return PushState::ok;
}

void ReplyReader::append(std::string_view received) {
  if (received.empty()) return;
  Spill& kept = spill();
  kept.unread.erase(0, kept.unread_at);
  kept.unread_at = 0;
  kept.unread.append(received);
}

void ReplyReader::release_if_empty() noexcept {
  if (spill_ && spill_->pending().empty() && spill_->unsent.empty()) spill_.reset();
}

std::string_view ReplyReader::unsent() const noexcept {
  return spill_ ? std::string_view(spill_->unsent) : std::string_view();
}

void ReplyReader::keep_unsent(std::string_view bytes) {
  spill().unsent.append(bytes);
}

void ReplyReader::drop_unsent(std::size_t bytes) noexcept {
  if (spill_) spill_->unsent.erase(0, bytes);
}

void ReplyReader::shrink() noexcept {
  if (!spill_) return;
  if (spill_->pending().empty()) return spill_.reset();
  Spill& kept = *spill_;
  std::string().swap(kept.reply);  // assigning would keep the capacity
  if (kept.unread.capacity() > 2 * kept.pending().size()) {
    kept.unread.erase(0, kept.unread_at);
    kept.unread_at = 0;
    kept.unread.shrink_to_fit();
  }
}

void ReplyReader::clear() noexcept {
  spill_.reset();
}

std::size_t ReplyReader::held_bytes() const noexcept {
  if (!spill_) return 0;
  return spill_->reply.size() + spill_->pending().size();
}

bool ReplyReader::has_unread() const noexcept {
  return spill_ && !spill_->pending().empty();
}

std::size_t ReplyReader::memory_bytes() const noexcept {
  if (!spill_) return 0;
  return sizeof(Spill) + spill_->unread.capacity() + spill_->reply.capacity() +
         spill_->unsent.capacity();
}

}  // namespace swarm::engine
