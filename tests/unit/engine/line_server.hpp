// A loopback TCP server for engine tests: accepts connections one after
// another, and answers each request line with what `answer` returns (given
// the request's number, from 1, and the line without its end); a '|' in the
// answer splits it into writes 20 ms apart. It keeps every line it got.
// Runs on its own thread until destroyed.
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
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine_config.hpp"

namespace swarm::engine::testing {

class LineServer {
 public:
  using Answer = std::function<std::string(int request, const std::string& line)>;

  explicit LineServer(std::function<std::string(int request)> answer)
      : LineServer([answer](int request, const std::string&) { return answer(request); }) {}
  explicit LineServer(Answer answer) : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 16);
    socklen_t length = sizeof address_;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address_), &length);
    thread_ = std::thread([this] { serve(); });
  }
  ~LineServer() {
    stopping_ = true;
    thread_.join();
    ::close(listener_);
  }

  /// Where swarm should connect.
  SocketAddress address() const {
    SocketAddress made;
    std::memcpy(&made.storage, &address_, sizeof address_);
    made.length = sizeof address_;
    return made;
  }
  int accepted() const { return accepted_; }
  int requests() const { return requests_; }
  /// Every line received so far, in order.
  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  /// Waits up to 20 ms for `fd` to be readable; false when it is not.
  bool readable(int fd) const {
    pollfd entry{fd, POLLIN, 0};
    return ::poll(&entry, 1, 20) == 1;
  }

  void serve() {
    while (!stopping_) {
      if (!readable(listener_)) continue;
      int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      ++accepted_;
      talk(client);
      ::close(client);
    }
  }

  void talk(int client) {
    std::string pending;
    while (!stopping_) {
      if (!readable(client)) continue;
      char buffer[512];
      ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
      if (got <= 0) return;  // the client closed: take the next one
      pending.append(buffer, static_cast<std::size_t>(got));
      for (auto end = pending.find('\n'); end != std::string::npos; end = pending.find('\n')) {
        std::string line = pending.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        pending.erase(0, end + 1);
        {
          std::lock_guard lock(mutex_);
          lines_.push_back(line);
        }
        write_parts(client, answer_(++requests_, line));
      }
    }
  }

  void write_parts(int client, const std::string& answer) {
    std::size_t at = 0;
    for (std::size_t bar = answer.find('|'); bar != std::string::npos; bar = answer.find('|', at)) {
      ::send(client, answer.data() + at, bar - at, MSG_NOSIGNAL);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      at = bar + 1;
    }
    ::send(client, answer.data() + at, answer.size() - at, MSG_NOSIGNAL);
  }

  Answer answer_;                      // what to answer request n
  int listener_ = -1;                  // the listening socket
  sockaddr_in address_{};              // where it listens
  std::atomic<bool> stopping_{false};  // the destructor asks the thread to end
  std::atomic<int> accepted_{0};       // connections accepted
  std::atomic<int> requests_{0};       // request lines answered
  mutable std::mutex mutex_;           // guards lines_
  std::vector<std::string> lines_;     // every line received
  std::thread thread_;                 // runs serve()
};

}  // namespace swarm::engine::testing
