#include "session.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
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

class Session {
 public:
  Session(tcp::socket socket, WorkerContext& worker)
      : socket_(std::move(socket)), worker_(worker), handler_(worker.shared) {}
  ~Session() { ThreadCounters::add(worker_.counters.closed); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  asio::awaitable<void> run();

 private:
  asio::awaitable<std::size_t> read_some();
  asio::awaitable<void> linger_close();

  tcp::socket socket_;     // the client
  WorkerContext& worker_;  // this thread's shared parts
  Handler handler_;        // protocol state: room, ...
  std::string in_;         // an unfinished line, waiting for its end
  std::string out_;        // replies being written
};

asio::awaitable<void> Session::run() {
  for (;;) {
    const std::size_t n = co_await read_some();
    if (n == 0) co_return;  // the client closed, or the connection broke

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

    // Every reply of a pipelined burst goes out in one write.
    if (!out_.empty()) {
      auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(out_), nothrow);
      if (ec) co_return;
      out_.clear();
    }
    if (answered.next == Handler::Next::close) {
      co_await linger_close();
      co_return;
    }
    release_if_large(in_);
    release_if_large(out_);
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
  Session session(std::move(socket), worker);
  co_await session.run();
}

}  // namespace durian
