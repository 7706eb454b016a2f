#include "console/console_server.hpp"

#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "console/console_session.hpp"

namespace swarm::console {

namespace detail {

/// What the acceptor's coroutine and the sessions' close callbacks share
/// with the server; it outlives the server while they are pending.
struct ConsoleServerState {
  ConsoleServerState(asio::io_context& io, ConsoleHandler& h, ConsoleServerOptions o)
      : acceptor(io), handler(h), shared(std::make_shared<ConsoleShared>()) {
    shared->options = std::move(o);
  }

  asio::ip::tcp::acceptor acceptor;       // the listening socket
  ConsoleHandler& handler;                // runs the commands of every session
  std::shared_ptr<ConsoleShared> shared;  // rules, failed attempts, log: with the sessions
  asio::ip::tcp::endpoint endpoint;       // what was bound, kept for after close
  std::unordered_map<ConsoleSession*, std::weak_ptr<ConsoleSession>> sessions;  // open ones
  bool started = false;  // start() was called
  bool closed = false;   // close() was called: accept nothing more
};

}  // namespace detail

namespace {

using detail::ConsoleServerState;

// Completion token that hands errors back as values instead of throwing.
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// How long to wait before accepting again after an error such as EMFILE,
// which would otherwise fail again at once and spin the control thread.
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);

asio::awaitable<void> refuse(asio::ip::tcp::socket socket, std::string message) {
  co_await asio::async_write(socket, asio::buffer(message), use_nothrow);
  asio::error_code ignored;
  socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

/// How many sessions may be open at once: with a token, those still to
/// authenticate have their own allowance, so that strangers knocking cannot
/// lock the operator out (authenticate() enforces max_sessions).
std::size_t session_room(const ConsoleServerOptions& options) {
  return options.max_sessions + (options.token ? options.max_unauthenticated : 0);
}

void admit(const std::shared_ptr<ConsoleServerState>& state, asio::ip::tcp::socket socket) {
  const std::size_t limit = state->shared->options.max_sessions;
  if (state->sessions.size() >= session_room(state->shared->options)) {
    asio::error_code ignored;
    state->shared->log().write(socket.remote_endpoint(ignored), "session refused: too many");
    const auto executor = socket.get_executor();
    asio::co_spawn(
        executor,
        refuse(std::move(socket),
               fmt::format("Too many console sessions (limit {}), try again later\r\n", limit)),
        asio::detached);
    return;
  }
  const std::weak_ptr<ConsoleServerState> weak = state;
  auto session = std::make_shared<ConsoleSession>(std::move(socket), state->handler, state->shared,
                                                  [weak](ConsoleSession& gone) {
                                                    if (const auto alive = weak.lock())
                                                      alive->sessions.erase(&gone);
                                                  });
  state->sessions.emplace(session.get(), session);
  session->start();
}

asio::awaitable<void> accept_loop(std::shared_ptr<ConsoleServerState> state) {
  asio::steady_timer retry(state->acceptor.get_executor());
  while (!state->closed) {
    auto [ec, socket] = co_await state->acceptor.async_accept(use_nothrow);
    if (state->closed) co_return;
    if (ec) {
      retry.expires_after(accept_retry_delay);
      co_await retry.async_wait(use_nothrow);
      continue;
    }
    admit(state, std::move(socket));
  }
}

void listen(asio::ip::tcp::acceptor& acceptor, const asio::ip::tcp::endpoint& endpoint) {
  asio::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    asio::error_code ignored;
    acceptor.close(ignored);
    throw std::runtime_error(
        fmt::format("cannot listen on {}: {}", to_string(endpoint), ec.message()));
  }
}

}  // namespace

ConsoleServer::ConsoleServer(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint,
                             ConsoleHandler& handler, ConsoleServerOptions options)
    : state_(std::make_shared<ConsoleServerState>(io, handler, std::move(options))) {
  listen(state_->acceptor, endpoint);
  state_->endpoint = state_->acceptor.local_endpoint();
}

ConsoleServer::~ConsoleServer() {
  close();
}

void ConsoleServer::start() {
  if (state_->started || state_->closed) return;
  state_->started = true;
  asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_), asio::detached);
}

void ConsoleServer::close() {
  if (state_->closed) return;
  state_->closed = true;
  asio::error_code ignored;
  state_->acceptor.close(ignored);
  for (const auto& [raw, weak] : state_->sessions) {
    const auto session = weak.lock();
    if (!session) continue;
    session->stop_commands();
    asio::post(state_->acceptor.get_executor(), [session] { session->close(); });
  }
}

asio::ip::tcp::endpoint ConsoleServer::local_endpoint() const {
  return state_->endpoint;
}

std::size_t ConsoleServer::session_count() const {
  return state_->sessions.size();
}

std::uint64_t ConsoleServer::auth_failures() const {
  return state_->shared->throttle.failures();
}

std::string to_string(const asio::ip::tcp::endpoint& endpoint) {
  const asio::ip::address address = endpoint.address();
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), endpoint.port());
  return fmt::format("{}:{}", address.to_string(), endpoint.port());
}

}  // namespace swarm::console
