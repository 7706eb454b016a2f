#include "web/http_session.hpp"

#include <fmt/format.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <exception>
#include <utility>

namespace swarm::web {
namespace {

// Completion token that hands errors back as values instead of throwing.
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

std::string peer_of(const asio::ip::tcp::socket& socket) {
  asio::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "?";
  const auto address = endpoint.address();
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                         : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

HttpSession::Bytes bytes_of(std::string text) {
  return std::make_shared<const std::string>(std::move(text));
}

}  // namespace

HttpSession::HttpSession(asio::ip::tcp::socket socket, HttpHandler& handler,
                         const HttpAccess& access, const HttpServerOptions& options,
                         OnClosed on_closed)
    : socket_(std::move(socket)),
      handler_(handler),
      access_(access),
      options_(options),
      on_closed_(std::move(on_closed)),
      reader_(options.limits),
      idle_(socket_.get_executor()),
      peer_(peer_of(socket_)) {}

HttpSession::~HttpSession() {
  close();
}

void HttpSession::start() {
  asio::co_spawn(
      socket_.get_executor(), [self = shared_from_this()] { return self->read_loop(); },
      asio::detached);
}

void HttpSession::close() {
  if (!open_) return;
  open_ = false;
  idle_.cancel();
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  if (on_closed_) std::exchange(on_closed_, nullptr)(*this);
}

void HttpSession::finish() {
  finishing_ = true;
  if (!writing_ && queue_.empty()) close();
}

void HttpSession::arm_idle_timer() {
  idle_.expires_after(options_.idle_timeout);
  idle_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
    if (ec) return;
    if (const auto self = weak.lock()) self->close();
  });
}

asio::awaitable<void> HttpSession::read_loop() {
  while (open_ && !finishing_) {
    if (!co_await read_request()) co_return;
    if (const auto& error = reader_.error()) {
      send(bytes_of(serialize(HttpResponse::json_error(error->status, error->message), false)));
      finish();
      co_return;
    }
    co_await answer(reader_.take());
  }
}

/// Reads until the reader has a request or an error; false when the
/// connection ended first. An event stream's reads only watch for the end.
asio::awaitable<bool> HttpSession::read_request() {
  std::array<char, 4096> buffer{};
  while (true) {
    if (!stream_) {
      pending_.erase(0, reader_.feed(pending_));
      if (reader_.complete() || reader_.error()) co_return true;
      arm_idle_timer();
    }
    const auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer), use_nothrow);
    idle_.cancel();
    if (!open_) co_return false;
    if (ec) {
      // EOF (a half-close after the request): still send what is queued.
      if (ec == asio::error::eof) {
        finish();
      } else {
        close();
      }
      co_return false;
    }
    if (stream_) continue;  // a stream's client has nothing more to say
    if (pending_.size() + n > options_.limits.max_head + options_.limits.max_body) {
      close();  // pipelining far ahead of the answers: not a client we serve
      co_return false;
    }
    pending_.append(buffer.data(), n);
  }
}

asio::awaitable<void> HttpSession::answer(HttpRequest request) {
  request.peer = peer_;
  AccessVerdict verdict = access_.check(request);
  if (verdict.refusal) {
    if (verdict.delay.count() > 0) {
      // Slows a guesser down; other sessions are served meanwhile.
      asio::steady_timer wait(socket_.get_executor(), verdict.delay);
      co_await wait.async_wait(use_nothrow);
      if (!open_) co_return;
    }
    send(bytes_of(serialize(*verdict.refusal, request.keep_alive)));
    if (!request.keep_alive) finish();
    co_return;
  }
  HttpResponse response = co_await ask_handler(request);
  if (!open_) co_return;
  const bool head = request.method == "HEAD";
  if (response.event_stream) {
    stream_ = true;
    std::string first = serialize(response, true) + response.body;
    send(bytes_of(std::move(first)));
    co_return;
  }
  std::string bytes = serialize(response, request.keep_alive);
  if (head) bytes.resize(bytes.size() - response.body.size());
  send(bytes_of(std::move(bytes)));
  if (!request.keep_alive) finish();
}

asio::awaitable<HttpResponse> HttpSession::ask_handler(const HttpRequest& request) {
  try {
    co_return co_await handler_.answer(request);
  } catch (const std::exception& error) {
    co_return HttpResponse::json_error(500, error.what());
  }
}

void HttpSession::send(Bytes bytes) {
  if (!open_ || bytes->empty()) return;
  if (!queue_.empty() && queued_bytes_ + bytes->size() > options_.max_queued_output) {
    close();  // the peer is not reading: do not buffer for it without end
    return;
  }
  queued_bytes_ += bytes->size();
  queue_.push_back(std::move(bytes));
  write_next();
}

void HttpSession::write_next() {
  if (writing_ || queue_.empty() || !open_) return;
  writing_ = true;
  asio::async_write(socket_, asio::buffer(*queue_.front()),
                    [self = shared_from_this()](const asio::error_code& ec, std::size_t) {
                      self->writing_ = false;
                      self->queued_bytes_ -= self->queue_.front()->size();
                      self->queue_.pop_front();
                      if (ec || (self->finishing_ && self->queue_.empty())) {
                        self->close();
                        return;
                      }
                      self->write_next();
                    });
}

}  // namespace swarm::web
