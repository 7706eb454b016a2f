#include "engine/tcp_socket.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace swarm::engine {
namespace {

void set_option(int fd, int level, int name, int value) noexcept {
  ::setsockopt(fd, level, name, &value, sizeof value);
}

constexpr std::int64_t kNanosPerSecond = 1'000'000'000;

/// The SO_TIMESTAMPNS stamp of a received message, 0 when it has none.
std::int64_t arrival_of(msghdr& message) noexcept {
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec stamp;
      std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
      return std::int64_t{stamp.tv_sec} * kNanosPerSecond + stamp.tv_nsec;
    }
  }
  return 0;
}

}  // namespace

int TcpSocket::open_and_connect(const SocketAddress& server, const SocketAddress* source,
                                int sndbuf, int rcvbuf) {
  close();
  fd_ = ::socket(server.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return errno;
  // Buffer sizes must be set before connect() to shape the TCP window.
  if (sndbuf > 0) set_option(fd_, SOL_SOCKET, SO_SNDBUF, sndbuf);
  if (rcvbuf > 0) set_option(fd_, SOL_SOCKET, SO_RCVBUF, rcvbuf);
  set_option(fd_, IPPROTO_TCP, TCP_NODELAY, 1);
  // The kernel stamps each segment as it arrives, so a reply's latency ends
  // there, not when a busy worker got around to reading it.
  set_option(fd_, SOL_SOCKET, SO_TIMESTAMPNS, 1);
  if (source != nullptr) {
    // Let connect() pick the port, so ports are shared across destinations
    // instead of being reserved at bind() time.
    set_option(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&source->storage), source->length) != 0) {
      return errno;
    }
  }
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&server.storage), server.length) == 0) {
    writable = true;
    return 0;
  }
  return errno == EINPROGRESS ? 0 : errno;
}

int TcpSocket::connect_result() const noexcept {
  int error = 0;
  socklen_t length = sizeof error;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return errno;
  return error;
}

bool TcpSocket::syn_retransmitted(std::chrono::nanoseconds connect_time) const noexcept {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) {
    return connect_time >= std::chrono::seconds(1);
  }
  return info.tcpi_total_retrans > 0 || info.tcpi_retransmits > 0;
}

bool TcpSocket::connected_to_itself(const SocketAddress& server) const noexcept {
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local), &length) != 0) return false;
  return length == server.length && std::memcmp(&local, &server.storage, length) == 0;
}

IoResult TcpSocket::send(std::string_view data) noexcept {
  ssize_t sent;
  do {
    sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent >= 0) {
    if (static_cast<std::size_t>(sent) < data.size()) writable = false;  // buffer full
    return {sent, 0, Want::none};
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    writable = false;
    return {0, 0, Want::write};
  }
  return {0, errno, Want::none};
}

IoResult TcpSocket::receive(char* buffer, std::size_t capacity) noexcept {
  iovec io{buffer, capacity};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr message{};
  message.msg_iov = &io;
  message.msg_iovlen = 1;
  ssize_t got;
  do {
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    got = ::recvmsg(fd_, &message, 0);
  } while (got < 0 && errno == EINTR);
  if (got > 0) {
    // A short read drained the socket: wait for the next edge, don't probe.
    // Unless the peer has closed: its FIN came with the data (one event for
    // both) and no edge will follow, so the next read must find the end.
    if (static_cast<std::size_t>(got) < capacity && !peer_closed_) readable = false;
    return {got, 0, Want::none, arrival_of(message)};
  }
  if (got == 0) return {0, 0, Want::none};  // end of stream
  if (errno == EAGAIN || errno == EWOULDBLOCK) {
    readable = false;
    return {0, 0, Want::read};
  }
  return {0, errno, Want::none};
}

void TcpSocket::on_events(std::uint32_t events) noexcept {
  if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) peer_closed_ = true;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) readable = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) writable = true;
}

int TcpSocket::pending_error() const noexcept {
  int error = 0;
  socklen_t size = sizeof error;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &size) != 0) return errno;
  return error;
}

void TcpSocket::close() noexcept {
  if (fd_ >= 0) ::close(fd_);  // also leaves the epoll set
  fd_ = -1;
  readable = writable = peer_closed_ = false;
}

std::chrono::nanoseconds time_since_arrival(std::int64_t arrived_ns) noexcept {
  if (arrived_ns == 0) return {};
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  const std::int64_t since = std::int64_t{now.tv_sec} * kNanosPerSecond + now.tv_nsec - arrived_ns;
  return std::chrono::nanoseconds(since > 0 ? since : 0);
}

stats::Reason connect_failure_reason(int error) noexcept {
  switch (error) {
    case ECONNREFUSED:
      return stats::Reason::refused;
    case ETIMEDOUT:
      return stats::Reason::connect_timeout;
    case ENETUNREACH:
    case EHOSTUNREACH:
      return stats::Reason::unreachable;
    case EADDRNOTAVAIL:
      return stats::Reason::addr_not_available;
    case EADDRINUSE:
      return stats::Reason::addr_in_use;
    case EMFILE:
    case ENFILE:
      return stats::Reason::too_many_files;
    case ECONNRESET:
      return stats::Reason::reset;
    default:
      return stats::Reason::other;
  }
}

stats::Reason io_failure_reason(int error) noexcept {
  return error == ETIMEDOUT ? stats::Reason::timeout : stats::Reason::reset;
}

}  // namespace swarm::engine
