#include "hold_server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string_view>
#include <system_error>

namespace hold {
namespace {

constexpr std::string_view kPong = "+PONG\r\n";
constexpr std::string_view kUnknown = "-ERR unknown command (the hold server answers PING)\r\n";
constexpr int kMaxEvents = 256;

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

std::int64_t realtime_ns() {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

void set_option(int fd, int level, int name, int value) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) fail("setsockopt");
}

void watch(int epoll_fd, int fd, void* tag) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = tag;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl");
}

// Tags for the two descriptors that are not clients.
int listener_tag;
int timer_tag;

}  // namespace

HoldServer::HoldServer(const sockaddr_storage& address, socklen_t length,
                       std::chrono::nanoseconds hold, std::size_t max_clients)
    : hold_ns_(hold.count()) {
  clients_.reserve(max_clients + 1);
  listen_fd_ = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail("socket");
  set_option(listen_fd_, SOL_SOCKET, SO_REUSEADDR, 1);
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), length) != 0) fail("bind");
  if (::listen(listen_fd_, 4096) != 0) fail("listen");
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                            : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) fail("epoll_create1");
  timer_fd_ = ::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  if (timer_fd_ < 0) fail("timerfd_create");
  watch(epoll_fd_, listen_fd_, &listener_tag);
  watch(epoll_fd_, timer_fd_, &timer_tag);
}

HoldServer::~HoldServer() {
  for (auto& client : clients_) {
    if (client.fd >= 0) ::close(client.fd);
  }
  ::close(timer_fd_);
  ::close(epoll_fd_);
  ::close(listen_fd_);
}

void HoldServer::run(int signal_fd) {
  watch(epoll_fd_, signal_fd, nullptr);
  std::array<epoll_event, kMaxEvents> events;
  for (;;) {
    const int count = ::epoll_wait(epoll_fd_, events.data(), kMaxEvents, -1);
    if (count < 0 && errno != EINTR) fail("epoll_wait");
    for (int i = 0; i < count; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == nullptr) {
        drain_all();  // count what is already here before reporting
        return;
      }
      if (tag == &listener_tag) {
        accept_all();
      } else if (tag == &timer_tag) {
        std::uint64_t expirations;
        [[maybe_unused]] auto got = ::read(timer_fd_, &expirations, sizeof expirations);
      } else {
        read_from(*static_cast<Client*>(tag));
      }
    }
    send_due();
    arm_timer();
  }
}

void HoldServer::accept_all() {
  for (;;) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      if (errno == EMFILE || errno == ENFILE) return;  // the backlog keeps them
      fail("accept4");
    }
    set_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    set_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
    if (static_cast<std::size_t>(fd) >= clients_.size()) {
      // Clients are addressed by pointer from epoll: grow before any is
      // watched, never after (a reserve large enough for the fd limit).
      if (clients_.capacity() <= static_cast<std::size_t>(fd)) {
        throw std::runtime_error("descriptor beyond the reserved client table");
      }
      clients_.resize(static_cast<std::size_t>(fd) + 1);
    }
    Client& client = clients_[static_cast<std::size_t>(fd)];
    client.fd = fd;
    client.generation = next_generation_++;
    client.splitter = RequestSplitter();
    client.unsent.clear();
    watch(epoll_fd_, fd, &client);
    ++counts_.accepted;
    ++counts_.connections;
  }
}

void HoldServer::read_from(Client& client) {
  std::array<char, 16384> buffer;
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(timespec))> control;
  for (;;) {
    iovec io{buffer.data(), buffer.size()};
    msghdr message{};
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    message.msg_control = control.data();
    message.msg_controllen = control.size();
    const ssize_t got = ::recvmsg(client.fd, &message, 0);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return close_client(client);
    std::int64_t arrived_ns = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec stamp;
        std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
        arrived_ns = std::int64_t{stamp.tv_sec} * 1'000'000'000 + stamp.tv_nsec;
      }
    }
    if (arrived_ns == 0) arrived_ns = realtime_ns();
    client.splitter.feed(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    queue_requests(client, arrived_ns);
    if (client.splitter.broken()) return close_client(client);
    if (static_cast<std::size_t>(got) < buffer.size()) return;
  }
}

void HoldServer::queue_requests(Client& client, std::int64_t arrived_ns) {
  while (auto request = client.splitter.next()) {
    if (request->command == "HOLDSTATS") {
      // The oracle's own query: answered at once, not counted.
      const std::string line = "+requests " + std::to_string(counts_.requests) + " replies " +
                               std::to_string(counts_.replies) + " connections " +
                               std::to_string(counts_.connections - 1) + " dropped " +
                               std::to_string(counts_.dropped) + "\r\n";
      client.unsent += line;
      const ssize_t sent =
          ::send(client.fd, client.unsent.data(), client.unsent.size(), MSG_NOSIGNAL);
      if (sent > 0) client.unsent.erase(0, static_cast<std::size_t>(sent));
      continue;
    }
    ++counts_.requests;
    due_.push(Due{arrived_ns + hold_ns_, arrived_ns, client.fd, client.generation,
                  request->command == "PING"});
  }
}

void HoldServer::send_due() {
  while (!due_.empty() && due_.top().at_ns <= realtime_ns()) {
    const Due due = due_.top();
    due_.pop();
    Client& client = clients_[static_cast<std::size_t>(due.fd)];
    if (client.fd != due.fd || client.generation != due.generation) {
      ++counts_.dropped;
      continue;
    }
    write_reply(client, due);
  }
}

void HoldServer::write_reply(Client& client, const Due& due) {
  const std::string_view reply = due.pong ? kPong : kUnknown;
  holds_ns_.push_back(realtime_ns() - due.arrived_ns);
  ++counts_.replies;
  if (!client.unsent.empty()) {
    client.unsent += reply;  // behind earlier bytes; a slow reader only
  } else {
    const ssize_t sent = ::send(client.fd, reply.data(), reply.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return close_client(client);
    const std::size_t taken = sent < 0 ? 0 : static_cast<std::size_t>(sent);
    if (taken < reply.size()) client.unsent.assign(reply.substr(taken));
  }
  if (!client.unsent.empty()) {
    const ssize_t sent =
        ::send(client.fd, client.unsent.data(), client.unsent.size(), MSG_NOSIGNAL);
    if (sent > 0) client.unsent.erase(0, static_cast<std::size_t>(sent));
  }
}

void HoldServer::close_client(Client& client) {
  ::close(client.fd);  // also leaves the epoll set
  client.fd = -1;
  --counts_.connections;
}

void HoldServer::arm_timer() {
  itimerspec spec{};
  if (!due_.empty()) {
    const std::int64_t at = due_.top().at_ns;
    spec.it_value.tv_sec = at / 1'000'000'000;
    spec.it_value.tv_nsec = at % 1'000'000'000;
  }
  if (::timerfd_settime(timer_fd_, TFD_TIMER_ABSTIME, &spec, nullptr) != 0) fail("timerfd");
}

void HoldServer::drain_all() {
  for (auto& client : clients_) {
    if (client.fd >= 0) read_from(client);
  }
}

}  // namespace hold
