// A loopback TCP server for engine tests whose behaviour per connection is
// a function of the test's own: it accepts connections one after another and
// runs `serve(client)` on each (on the server's thread), then closes it. For
// servers that misbehave in ways a line server cannot: half a reply and a
// close, an endless reply, a peer that never reads.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "engine/engine_config.hpp"

namespace swarm::engine::testing {

class PeerServer {
 public:
  /// Serves one accepted connection; returns when done with it. `stopping`
  /// turns true when the test ends: long loops must watch it.
  using Serve = std::function<void(int client, const std::atomic<bool>& stopping)>;

  explicit PeerServer(Serve serve) : serve_(std::move(serve)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 16);
    socklen_t length = sizeof address_;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address_), &length);
    thread_ = std::thread([this] { run(); });
  }
  ~PeerServer() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
  }

  SocketAddress address() const {
    SocketAddress made;
    std::memcpy(&made.storage, &address_, sizeof address_);
    made.length = sizeof address_;
    return made;
  }
  int accepted() const { return accepted_; }

  /// Waits up to `ms` for `fd` to be readable.
  static bool readable(int fd, int ms = 20) {
    pollfd entry{fd, POLLIN, 0};
    return ::poll(&entry, 1, ms) == 1;
  }
  /// Reads until a '\n' arrives; false when the peer closed or `stopping`.
  static bool read_line(int fd, const std::atomic<bool>& stopping) {
    while (!stopping) {
      if (!readable(fd)) continue;
      char buffer[4096];
      ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
      if (got <= 0) return false;
      if (std::string_view(buffer, static_cast<std::size_t>(got)).find('\n') !=
          std::string_view::npos) {
        return true;
      }
    }
    return false;
  }
  /// Sends all of `data`; false when the peer went away.
  static bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
      ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

 private:
  void run() {
    while (!stopping_) {
      if (!readable(listener_)) continue;
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      ++accepted_;
      serve_(client, stopping_);
      ::close(client);
    }
  }

  Serve serve_;                        // what to do with each connection
  int listener_ = -1;                  // the listening socket
  sockaddr_in address_{};              // where it listens
  std::atomic<bool> stopping_{false};  // the destructor asks the thread to end
  std::atomic<int> accepted_{0};       // connections accepted
  std::thread thread_;                 // runs run()
};

}  // namespace swarm::engine::testing
