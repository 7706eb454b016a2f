// Transport: the byte stream of one connection, as the connection uses it:
// open, a handshake after the TCP connect, send, receive, readiness, close.
// It is plain TCP (a TcpSocket), or TLS over it (a TlsSession, with
// --tls), and the connection cannot tell which, because
//   - every call says what it waits for (IoResult::want), and a TLS read may
//     want the socket writable, or a write want it readable;
//   - handshake() runs after the TCP connect, step by step, until it wants
//     nothing more (TLS: SSL_connect; plain TCP: done at once);
//   - ready(Want::read) is true while the session holds decrypted bytes,
//     not only when the socket has new ones.
// The connection keeps this object inline: the descriptor, two flags and
// a pointer to the TLS session (null for plain TCP: one predictable branch
// per call).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/engine_config.hpp"
#include "engine/tcp_socket.hpp"
#include "engine/tls_session.hpp"

namespace swarm::engine {

class Transport {
 public:
  Transport() = default;
  ~Transport() { close(); }
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

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

  /// Puts TLS over the connected socket, to server `server` of `context`;
  /// handshake() follows. Returns 0, or kTlsFailure (the context says why).
  int start_tls(TlsContext& context, std::uint32_t server) {
    tls_ = TlsSession::start(context, socket_, server);
    return tls_ != nullptr ? 0 : kTlsFailure;
  }
  /// One step of the handshake that follows the TCP connect; call again
  /// after `want` until it wants nothing. Plain TCP has none.
  IoResult handshake() noexcept { return tls_ ? tls_->handshake() : IoResult{0, 0, Want::none}; }
  /// Whether the TLS handshake resumed an earlier session.
  bool resumed() const noexcept { return tls_ != nullptr && tls_->resumed(); }

  /// Sends as much of `data` as can go now.
  IoResult send(std::string_view data) noexcept {
    return tls_ ? tls_->send(data) : socket_.send(data);
  }
  /// Reads up to `capacity` bytes into `buffer` (IoResult::arrived_ns: when
  /// the kernel received the last of them).
  IoResult receive(char* buffer, std::size_t capacity) noexcept {
    return tls_ ? tls_->receive(buffer, capacity) : socket_.receive(buffer, capacity);
  }
  /// Whether a call that needs `want` can go on without waiting.
  bool ready(Want want) const noexcept { return tls_ ? tls_->ready(want) : socket_.ready(want); }
  /// Notes readiness from the descriptor's epoll event bits.
  void on_events(std::uint32_t events) noexcept { socket_.on_events(events); }
  /// Whether the server closed the TCP connection (or it failed): see
  /// TcpSocket::peer_closed().
  bool peer_closed() const noexcept { return socket_.peer_closed(); }
  /// The TCP socket's pending error, or 0.
  int pending_error() const noexcept { return socket_.pending_error(); }

  /// Ends the TLS session (close_notify when it is in good order), then
  /// closes the socket.
  void close() noexcept {
    if (tls_ != nullptr) tls_->close();
    tls_ = nullptr;
    socket_.close();
  }
  int fd() const noexcept { return socket_.fd(); }
  bool is_open() const noexcept { return socket_.is_open(); }

 private:
  TcpSocket socket_;           // the descriptor and its readiness
  TlsSession* tls_ = nullptr;  // the TLS session over it, or null
};

}  // namespace swarm::engine
