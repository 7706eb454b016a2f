#include "server.hpp"

#include <fmt/format.h>
#include <sys/socket.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <random>

namespace durian {
namespace {

using asio::ip::tcp;
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// How long to wait before accepting again after an error such as EMFILE:
// retrying at once would spin on the same error.
constexpr auto accept_pause = std::chrono::milliseconds(100);

std::uint64_t random_key() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) ^ device();
}

void open_acceptor(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  acceptor.open(endpoint.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  acceptor.set_option(reuse_port(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, WorkerContext& worker) {
  asio::steady_timer pause(acceptor.get_executor());
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(nothrow);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      fmt::print(stderr, "durian-server: accept: {}\n", ec.message());
      pause.expires_after(accept_pause);
      co_await pause.async_wait(nothrow);
      continue;
    }
    ThreadCounters::add(worker.counters.accepted);
    asio::co_spawn(acceptor.get_executor(), run_session(std::move(socket), worker), asio::detached);
  }
}

// SO_REUSEPORT would also let us share a port with another server that
// happens to listen there already (a stale run, a second test): the kernel
// would split the connections between the two without a word. A socket
// bound without it fails on such a port, so bind one first, just to check.
// Returns the endpoint with a real port when `listen` asked for port 0.
tcp::endpoint check_port_is_free(asio::io_context& context, const tcp::endpoint& listen) {
  tcp::acceptor probe(context);
  probe.open(listen.protocol());
  probe.set_option(tcp::acceptor::reuse_address(true));
  probe.bind(listen);
  return probe.local_endpoint();
}

}  // namespace

Server::Server(const tcp::endpoint& listen, std::size_t threads)
    : counters_(threads), shared_{counters_, rooms_, random_key()} {
  for (std::size_t i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(shared_, counters_.of_thread(i)));
  }
  const tcp::endpoint endpoint = check_port_is_free(workers_.front()->context, listen);
  for (auto& worker : workers_) open_acceptor(worker->acceptor, endpoint);
}

Server::~Server() {
  stop();
}

tcp::endpoint Server::local_endpoint() const {
  return workers_.front()->acceptor.local_endpoint();
}

void Server::start() {
  for (auto& worker : workers_) {
    asio::co_spawn(worker->context, accept_loop(worker->acceptor, worker->sessions),
                   asio::detached);
    worker->thread = std::thread([&context = worker->context] { context.run(); });
  }
}

void Server::stop() {
  for (auto& worker : workers_) worker->context.stop();
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
  // Destroying a context destroys the sessions still suspended in it, which
  // counts them as closed: the totals after stop() add up.
  workers_.clear();
}

}  // namespace durian
