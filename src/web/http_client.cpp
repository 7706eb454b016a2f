#include "web/http_client.hpp"

#include <fmt/format.h>

#include <array>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <memory>

namespace swarm::web {
namespace {

// Completion token that hands errors back as values instead of throwing.
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

/// The socket and whether the deadline closed it, shared with the deadline's
/// handler (which may run after the coroutine is done).
struct Exchange {
  explicit Exchange(const asio::any_io_executor& executor) : socket(executor), deadline(executor) {}
  asio::ip::tcp::socket socket;  // the connection
  asio::steady_timer deadline;   // closes it when the time is up
  bool timed_out = false;        // it did
};

std::string describe(const Exchange& exchange, const char* step, const asio::error_code& error,
                     std::chrono::milliseconds timeout) {
  if (exchange.timed_out) {
    return fmt::format("no answer within {:.1f}s (at {})", timeout.count() / 1000.0, step);
  }
  return fmt::format("{}: {}", step, error.message());
}

asio::awaitable<HttpReply> read_reply(Exchange& exchange, const ClientLimits& limits) {
  ResponseReader reader(limits.max_body);
  std::array<char, 16384> buffer{};
  while (!reader.complete() && !reader.error()) {
    const auto [error, n] =
        co_await exchange.socket.async_read_some(asio::buffer(buffer), use_nothrow);
    if (error == asio::error::eof && !exchange.timed_out) {
      reader.finish();
      break;
    }
    if (error) throw HttpClientError(describe(exchange, "read", error, limits.timeout));
    reader.feed(std::string_view(buffer.data(), n));
  }
  if (reader.error()) throw HttpClientError(*reader.error());
  co_return reader.take();
}

}  // namespace

std::string serialize(const ClientRequest& request) {
  std::string out = fmt::format("{} {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
                                request.method, request.target, request.host);
  out += "Accept: application/json\r\nUser-Agent: swarm-control\r\n";
  if (!request.bearer_token.empty()) {
    out += fmt::format("Authorization: Bearer {}\r\n", request.bearer_token);
  }
  if (!request.body.empty() || request.method == "POST") {
    out += fmt::format("Content-Type: application/json\r\nContent-Length: {}\r\n",
                       request.body.size());
  }
  return out + "\r\n" + request.body;
}

asio::awaitable<HttpReply> http_fetch(asio::ip::tcp::endpoint endpoint, ClientRequest request,
                                      ClientLimits limits) {
  auto exchange = std::make_shared<Exchange>(co_await asio::this_coro::executor);
  exchange->deadline.expires_after(limits.timeout);
  exchange->deadline.async_wait([weak = std::weak_ptr<Exchange>(exchange)](asio::error_code e) {
    const auto held = weak.lock();
    if (e || !held) return;
    held->timed_out = true;
    asio::error_code ignored;
    held->socket.close(ignored);  // ends the pending connect, write or read
  });
  struct Cancel {
    Exchange& exchange;
    ~Cancel() { exchange.deadline.cancel(); }
  } cancel{*exchange};
  const auto [connect_error] = co_await exchange->socket.async_connect(endpoint, use_nothrow);
  if (connect_error) {
    throw HttpClientError(describe(*exchange, "connect", connect_error, limits.timeout));
  }
  const std::string bytes = serialize(request);
  const auto [write_error, written] =
      co_await asio::async_write(exchange->socket, asio::buffer(bytes), use_nothrow);
  if (write_error) throw HttpClientError(describe(*exchange, "write", write_error, limits.timeout));
  co_return co_await read_reply(*exchange, limits);
}

}  // namespace swarm::web
