// The server: N worker threads, each with its own event loop and its own
// listening socket on the same port (SO_REUSEPORT), so the kernel spreads
// new connections over the threads and no thread hands sockets to another.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "counters.hpp"
#include "handler.hpp"
#include "rooms.hpp"
#include "session.hpp"

namespace durian {

class Server {
 public:
  // Opens the listening sockets (one per thread); throws std::system_error
  // when the address cannot be bound.
  Server(const asio::ip::tcp::endpoint& listen, std::size_t threads);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Where it listens: the asked endpoint, with the real port if it was 0.
  // Only before stop().
  asio::ip::tcp::endpoint local_endpoint() const;

  void start();  // starts accepting, one thread per worker
  void stop();   // stops every worker, waits for its thread, closes everything

  Totals totals() const { return counters_.sum(); }

 private:
  // One thread's share of the server. Sessions live inside `context`.
  struct Worker {
    Worker(Shared& shared, ThreadCounters& counters) : sessions{shared, counters} {}
    asio::io_context context{1};                // run by `thread` only
    asio::ip::tcp::acceptor acceptor{context};  // this thread's listening socket
    WorkerContext sessions;                     // what its sessions share
    std::thread thread;                         // runs `context`
  };

  // Declared before workers_: sessions still use them while the workers'
  // io_contexts are destroyed (a destroyed context destroys its coroutines).
  Counters counters_;
  RoomRegistry rooms_;
  Shared shared_;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace durian
