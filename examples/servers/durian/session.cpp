#include "session.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace durian {
namespace {

using asio::ip::tcp;

// Errors come back as values, not exceptions: a client that goes away is
// the normal end of a session, not an exceptional one.
constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// A buffer that grew past this (a long line, a pipelined burst) is given
// back once drained, so idle connections stay small.
constexpr std::size_t keep_capacity = 256;

// Bytes a closing connection reads and discards before giving up on the
// client's own close (see linger_close).
constexpr std::size_t max_discard = 1 << 20;

struct Answered {
  std::size_t consumed;  // bytes of complete lines answered
  Handler::Next next;    // close after sending the replies?
};

// Answers every complete line at the front of `in`, appending replies to `out`.
Answered answer_lines(std::string_view in, Handler& handler, ThreadCounters& counters,
                      std::string& out) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = in.find('\n', start);
    if (end == std::string_view::npos) {
      // No line end yet. Wait for more, unless no line this long is allowed
      // (max_line bytes, then perhaps the "\r" of a "\r\n" still on its way).
      if (in.size() - start <= Handler::max_line + 1) return {start, Handler::Next::keep_open};
      ThreadCounters::add(counters.requests);
      return {in.size(), Handler::on_line_too_long(out)};
    }
    std::string_view line = in.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // "\r\n" or bare "\n"
    start = end + 1;
    // Counted before answering, so `stats` includes the request asking for it.
    ThreadCounters::add(counters.requests);
    const Handler::Next next = line.size() > Handler::max_line ? Handler::on_line_too_long(out)
                                                               : handler.on_line(line, out);
    if (next == Handler::Next::close) return {start, next};
  }
}

void release_if_large(std::string& buffer) {
  if (buffer.empty() && buffer.capacity() > keep_capacity) std::string().swap(buffer);
}

// Bytes of broadcasts a session keeps for a client that does not read; past
// this, more are dropped (and counted), so one stuck client cannot make the
// server grow without bound.
constexpr std::size_t max_pending_pushes = 1 << 20;

// One connection. Shared: a room hands it broadcasts from other threads
// (through its executor), and a write it started may outlive its read loop.
class Session final : public Member, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, WorkerContext& worker)
      : socket_(std::move(socket)), worker_(worker), handler_(worker.shared) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  asio::awaitable<void> run();
  // Member: takes the line to this session's thread.
  void deliver(std::shared_ptr<const std::string> line) override;
  // Set once made: rooms know us by this.
  void attach() { handler_.set_member(shared_from_this()); }

 private:
  asio::awaitable<std::size_t> read_some();
  asio::awaitable<bool> write_out();
  asio::awaitable<void> linger_close();
  void push(const std::string& line);

  tcp::socket socket_;     // the client
  WorkerContext& worker_;  // this thread's shared parts
  Handler handler_;        // protocol state: room, ...
  std::string in_;         // an unfinished line, waiting for its end
  std::string out_;        // replies and broadcasts not yet written
  std::string sending_;    // what the write under way sends
  bool writing_ = false;   // a write is under way (one at a time)
  bool done_ = false;      // the read loop has ended: no more broadcasts
};

asio::awaitable<void> Session::run() {
  for (;;) {
    const std::size_t n = co_await read_some();
    if (n == 0) break;  // the client closed, or the connection broke

    // Answer straight from the scratch buffer; only an unfinished line is
    // copied into the connection's own buffer (rare: lines come whole).
    std::string_view data(worker_.scratch.data(), n);
    if (!in_.empty()) data = in_.append(data);
    const Answered answered = answer_lines(data, handler_, worker_.counters, out_);
    if (data.data() == in_.data()) {
      in_.erase(0, answered.consumed);
    } else {
      in_.assign(data.substr(answered.consumed));
    }

    // Every reply of a pipelined burst goes out in one write (with any
    // broadcasts queued before them).
    if (!co_await write_out()) break;
    if (answered.next == Handler::Next::close) {
      co_await linger_close();
      break;
    }
    release_if_large(in_);
  }
  // Out of its room, and closed now: a broadcast write still under way
  // ends at once instead of keeping the connection open.
  done_ = true;
  handler_.set_member(nullptr);
  asio::error_code ec;
  socket_.close(ec);
}

// Writes out_ until it is empty; one writer at a time (a second caller
// returns at once: the first sends what it added). False when the write
// failed.
asio::awaitable<bool> Session::write_out() {
  if (writing_) co_return true;
  writing_ = true;
  auto self = shared_from_this();  // a broadcast's write may outlive run()
  while (!out_.empty()) {
    sending_.swap(out_);
    auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(sending_), nothrow);
    sending_.clear();
    if (ec) {
      out_.clear();
      writing_ = false;
      co_return false;
    }
  }
  writing_ = false;
  release_if_large(out_);
  release_if_large(sending_);
  co_return true;
}

void Session::deliver(std::shared_ptr<const std::string> line) {
  asio::post(socket_.get_executor(),
             [self = shared_from_this(), line = std::move(line)] { self->push(*line); });
}

void Session::push(const std::string& line) {
  if (done_ || !socket_.is_open()) return;
  if (out_.size() + line.size() > max_pending_pushes) {
    ThreadCounters::add(worker_.counters.dropped);
    return;
  }
  out_ += line;
  ThreadCounters::add(worker_.counters.pushed);
  if (!writing_) {
    asio::co_spawn(
        socket_.get_executor(),
        [self = shared_from_this()]() -> asio::awaitable<void> { co_await self->write_out(); },
        asio::detached);
  }
}

// Waits until the socket is readable, then reads what is there into the
// worker's scratch buffer. Waiting first (instead of async_read_some into a
// buffer of our own) means an idle connection holds no read buffer at all;
// sharing the scratch buffer is safe because the caller uses the bytes
// before its next co_await. Returns 0 at the end of the connection.
asio::awaitable<std::size_t> Session::read_some() {
  for (;;) {
    auto [wait_ec] = co_await socket_.async_wait(tcp::socket::wait_read, nothrow);
    if (wait_ec) co_return 0;
    asio::error_code ec;
    const std::size_t n = socket_.read_some(asio::buffer(worker_.scratch), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
    co_return ec ? 0 : n;
  }
}

// Closes after the last reply so that the client still reads it: send our
// FIN first, then read until the client's. Closing at once with unread
// requests in the socket would make the kernel send a reset, and a reset
// can destroy the reply before the client has read it.
asio::awaitable<void> Session::linger_close() {
  asio::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  for (std::size_t discarded = 0; !ec && discarded < max_discard;) {
    const std::size_t n = co_await read_some();
    if (n == 0) break;
    discarded += n;
  }
}

}  // namespace

asio::awaitable<void> run_session(tcp::socket socket, WorkerContext& worker) {
  asio::error_code ec;
  socket.non_blocking(true, ec);  // read_some() must never block the thread
  // Replies are written whole; don't let Nagle hold one back waiting for an ACK.
  socket.set_option(tcp::no_delay(true), ec);
  if (ec) co_return;
  auto session = std::make_shared<Session>(std::move(socket), worker);
  session->attach();
  co_await session->run();
  // Counted here, when the client is gone, not when the last broadcast
  // write lets go of the session.
  ThreadCounters::add(worker.counters.closed);
}

}  // namespace durian
