#include "web/http_server.hpp"

#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace swarm::web {

namespace detail {

struct HttpServerState {
  HttpServerState(asio::io_context& io, HttpHandler& h, const HttpAccess& a, HttpServerOptions o)
      : acceptor(io), heartbeat(io), handler(h), access(a), options(o) {}

  asio::ip::tcp::acceptor acceptor;  // the listening socket
  asio::steady_timer heartbeat;      // keeps idle event streams alive through proxies
  HttpHandler& handler;              // answers every session's requests
  const HttpAccess& access;          // who may ask
  HttpServerOptions options;         // limits
  asio::ip::tcp::endpoint endpoint;  // what was bound
  std::unordered_map<HttpSession*, std::weak_ptr<HttpSession>> sessions;  // open ones
  bool started = false;                                                   // start() was called
  bool closed = false;                                                    // close() was called
};

}  // namespace detail

namespace {

using detail::HttpServerState;

constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);
// After an accept error such as EMFILE, wait before trying again.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
// A comment line on every stream this often: proxies and browsers keep it.
constexpr auto kHeartbeat = std::chrono::seconds(15);

std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return address.is_v6() ? fmt::format("[{}]:{}", address.to_string(), endpoint.port())
                         : fmt::format("{}:{}", address.to_string(), endpoint.port());
}

/// The open event streams. A copy: sending may close a session (a reader
/// too slow), which takes it out of the map.
std::vector<std::shared_ptr<HttpSession>> streams_of(const HttpServerState& state) {
  std::vector<std::shared_ptr<HttpSession>> streams;
  for (const auto& [raw, weak] : state.sessions) {
    if (auto session = weak.lock(); session && session->is_stream()) streams.push_back(session);
  }
  return streams;
}

void refuse_busy(asio::ip::tcp::socket socket) {
  auto bytes = std::make_shared<const std::string>(serialize(
      HttpResponse::json_error(503, "too many HTTP connections, try again later"), false));
  auto held = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
  asio::async_write(*held, asio::buffer(*bytes),
                    [held, bytes](const asio::error_code&, std::size_t) {
                      asio::error_code ignored;
                      held->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
                      held->close(ignored);
                    });
}

void admit(const std::shared_ptr<HttpServerState>& state, asio::ip::tcp::socket socket) {
  if (state->sessions.size() >= state->options.max_sessions) {
    refuse_busy(std::move(socket));
    return;
  }
  const std::weak_ptr<HttpServerState> weak = state;
  auto session = std::make_shared<HttpSession>(std::move(socket), state->handler, state->access,
                                               state->options, [weak](HttpSession& gone) {
                                                 if (const auto alive = weak.lock())
                                                   alive->sessions.erase(&gone);
                                               });
  state->sessions.emplace(session.get(), session);
  session->start();
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpServerState> state) {
  asio::steady_timer retry(state->acceptor.get_executor());
  while (!state->closed) {
    auto [ec, socket] = co_await state->acceptor.async_accept(use_nothrow);
    if (state->closed) co_return;
    if (ec) {
      retry.expires_after(kAcceptRetry);
      co_await retry.async_wait(use_nothrow);
      continue;
    }
    admit(state, std::move(socket));
  }
}

void schedule_heartbeat(const std::shared_ptr<HttpServerState>& state) {
  state->heartbeat.expires_after(kHeartbeat);
  state->heartbeat.async_wait([weak = std::weak_ptr(state)](const asio::error_code& ec) {
    const auto alive = weak.lock();
    if (ec || !alive || alive->closed) return;
    static const auto beat = std::make_shared<const std::string>(":\n\n");
    for (const auto& stream : streams_of(*alive)) stream->send(beat);
    schedule_heartbeat(alive);
  });
}

}  // namespace

HttpServer::HttpServer(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint,
                       HttpHandler& handler, const HttpAccess& access, HttpServerOptions options)
    : state_(std::make_shared<HttpServerState>(io, handler, access, options)) {
  auto& acceptor = state_->acceptor;
  asio::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    asio::error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error(
        fmt::format("cannot listen on {}: {}", endpoint_text(endpoint), ec.message()));
  }
  state_->endpoint = acceptor.local_endpoint();
}

HttpServer::~HttpServer() {
  close();
}

void HttpServer::start() {
  if (state_->started || state_->closed) return;
  state_->started = true;
  asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_), asio::detached);
  schedule_heartbeat(state_);
}

void HttpServer::close() {
  if (state_->closed) return;
  state_->closed = true;
  asio::error_code ignored;
  state_->acceptor.close(ignored);
  state_->heartbeat.cancel();
  // finish(), not close(): an answer being written (to /api/stop) goes out.
  const auto sessions = state_->sessions;
  for (const auto& [raw, weak] : sessions) {
    if (const auto session = weak.lock()) session->finish();
  }
}

void HttpServer::publish(std::shared_ptr<const std::string> event) {
  for (const auto& stream : streams_of(*state_)) stream->send(event);
}

asio::ip::tcp::endpoint HttpServer::local_endpoint() const {
  return state_->endpoint;
}

std::size_t HttpServer::session_count() const {
  return state_->sessions.size();
}

std::size_t HttpServer::stream_count() const {
  return streams_of(*state_).size();
}

}  // namespace swarm::web
