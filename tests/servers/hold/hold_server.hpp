// HoldServer: answers every redis request exactly `hold` after it arrived,
// and measures, on its own clock, how long it really held each one. One
// thread, one epoll set, one timerfd: nothing else competes for its time.
//
// Arrival is the kernel's receive timestamp of the request's bytes
// (SO_TIMESTAMPNS), not the moment this loop got around to reading them, so
// a busy batch of events does not shift the deadline; the hold ends just
// before the reply's write(). Both on CLOCK_REALTIME, the kernel's stamp
// clock.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <queue>
#include <string>
#include <vector>

#include "request_splitter.hpp"

namespace hold {

/// What the server counted.
struct Counts {
  std::uint64_t accepted = 0;     // connections accepted
  std::uint64_t connections = 0;  // connections open now
  std::uint64_t requests = 0;     // complete requests received
  std::uint64_t replies = 0;      // replies written
  std::uint64_t dropped = 0;      // requests whose connection closed before the reply
};

class HoldServer {
 public:
  /// Listens on `address` (port 0: the kernel picks); throws on failure.
  /// `max_clients` is the open-files limit: the client table never moves.
  HoldServer(const sockaddr_storage& address, socklen_t length, std::chrono::nanoseconds hold,
             std::size_t max_clients);
  ~HoldServer();
  HoldServer(const HoldServer&) = delete;
  HoldServer& operator=(const HoldServer&) = delete;

  /// The port it listens on.
  int port() const noexcept { return port_; }
  /// Serves until SIGINT or SIGTERM (blocked by the caller, read here).
  void run(int signal_fd);

  const Counts& counts() const noexcept { return counts_; }
  /// Every hold, in nanoseconds, in reply order.
  const std::vector<std::int64_t>& holds_ns() const noexcept { return holds_ns_; }

 private:
  /// One client.
  struct Client {
    int fd = -1;               // -1: the slot is free
    std::uint32_t generation;  // tells a reused descriptor from the old one
    RequestSplitter splitter;  // cuts its bytes into requests
    std::string unsent;        // reply bytes the socket did not take yet
  };
  /// A reply waiting for its time.
  struct Due {
    std::int64_t at_ns;        // when to write it (CLOCK_REALTIME)
    std::int64_t arrived_ns;   // when its request arrived
    int fd;                    // the client
    std::uint32_t generation;  // the client's generation then
    bool pong;                 // +PONG, else an error reply
    bool operator>(const Due& other) const noexcept { return at_ns > other.at_ns; }
  };

  void accept_all();
  void read_from(Client& client);
  void queue_requests(Client& client, std::int64_t arrived_ns);
  void send_due();
  void write_reply(Client& client, const Due& due);
  void close_client(Client& client);
  void arm_timer();
  void drain_all();

  int listen_fd_ = -1;           // the listening socket
  int epoll_fd_ = -1;            // everything this thread waits for
  int timer_fd_ = -1;            // the next reply's time
  int port_ = 0;                 // the port listened on
  std::int64_t hold_ns_;         // how long each request is held
  std::vector<Client> clients_;  // by descriptor
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due_;  // replies by time
  std::vector<std::int64_t> holds_ns_;                              // measured holds
  Counts counts_;                                                   // what happened
  std::uint32_t next_generation_ = 1;                               // for the next client
};

}  // namespace hold
