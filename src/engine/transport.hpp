// Transport: the byte stream of one connection, as the connection uses it:
// open, a handshake after the TCP connect, send, receive, readiness, close.
// Today it is plain TCP (a TcpSocket). It is the seam for TLS: a session
// (an SSL* over the same descriptor, in a file of its own) goes under these
// calls, and the connection does not change, because
//   - every call says what it waits for (IoResult::want), and a TLS read may
//     want the socket writable, or a write want it readable;
//   - handshake() runs after the TCP connect, step by step, until it wants
//     nothing more (TLS: SSL_connect; plain TCP: done at once);
//   - ready(Want::read) is true while the session holds decrypted bytes,
//     not only when the socket has new ones.
// The connection keeps this object inline: an idle connection pays for the
// descriptor and two flags, plus a pointer once TLS is in.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/engine_config.hpp"
#include "engine/tcp_socket.hpp"

namespace swarm::engine {

class Transport {
 public:
  /// Starts a connection to `server` from `source` (may be null). Returns 0
  /// when the connect is under way or done, else the errno value.
  int open(const SocketAddress& server, const SocketAddress* source, int sndbuf, int rcvbuf) {
    return socket_.open_and_connect(server, source, sndbuf, rcvbuf);
  }
  /// The TCP connect's outcome once the socket is writable: 0 or errno.
  int connect_result() const noexcept { return socket_.connect_result(); }
  /// Whether the TCP connect that just succeeded had its SYN retransmitted.
  bool syn_retransmitted(std::chrono::nanoseconds connect_time) const noexcept {
    return socket_.syn_retransmitted(connect_time);
  }
  /// Whether the TCP connect reached this very socket (see TcpSocket).
  bool connected_to_itself(const SocketAddress& server) const noexcept {
    return socket_.connected_to_itself(server);
  }
  /// One step of the handshake that follows the TCP connect; call again
  /// after `want` until it wants nothing. Plain TCP has none.
  IoResult handshake() noexcept { return {0, 0, Want::none}; }

  /// Sends as much of `data` as can go now.
  IoResult send(std::string_view data) noexcept { return socket_.send(data); }
  /// Reads up to `capacity` bytes into `buffer` (IoResult::arrived_ns: when
  /// the kernel received the last of them).
  IoResult receive(char* buffer, std::size_t capacity) noexcept {
    return socket_.receive(buffer, capacity);
  }
  /// Whether a call that needs `want` can go on without waiting.
  bool ready(Want want) const noexcept { return socket_.ready(want); }
  /// Notes readiness from the descriptor's epoll event bits.
  void on_events(std::uint32_t events) noexcept { socket_.on_events(events); }

  void close() noexcept { socket_.close(); }
  int fd() const noexcept { return socket_.fd(); }
  bool is_open() const noexcept { return socket_.is_open(); }

 private:
  TcpSocket socket_;  // the descriptor and its readiness
};

}  // namespace swarm::engine
