// TcpSocket: a non-blocking TCP socket owned by one connection, with the few
// system calls the engine makes on it. Readiness is tracked from edge-
// triggered epoll events: a flag is set by an event and cleared when a call
// finds the socket drained (or full), so no call is made that would only
// return EAGAIN. Once the peer has closed (EPOLLRDHUP, HUP or ERR) a short
// read no longer clears `readable`: the end of the stream (or the error) is
// still to be read, and no edge will announce it again. Connections use it
// through their Transport.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/engine_config.hpp"
#include "stats/recorder.hpp"

namespace swarm::engine {

/// What an I/O call waits for before it can go on. A TLS session may need
/// the other direction than the call's own (a read that must write).
enum class Want : std::uint8_t {
  none,   // nothing: the call is done
  read,   // the socket to become readable
  write,  // the socket to become writable
};

/// The result of a read or write: bytes moved, or why none could be.
struct IoResult {
  std::ptrdiff_t bytes;         // > 0 moved; 0 with a `want` or at end of stream
  int error;                    // 0, or the errno value
  Want want;                    // not none: call again once the socket is ready so
  std::int64_t arrived_ns = 0;  // receive: when the kernel queued the last byte read
                                // (CLOCK_REALTIME, SO_TIMESTAMPNS); 0 when unknown
};

class TcpSocket {
 public:
  TcpSocket() = default;
  ~TcpSocket() { close(); }
  TcpSocket(const TcpSocket&) = delete;
  TcpSocket& operator=(const TcpSocket&) = delete;

  /// Creates the socket, applies buffer sizes, binds `source` (when not
  /// null) with IP_BIND_ADDRESS_NO_PORT and starts connect(). Returns 0 when
  /// the connect is under way or done, else the errno value.
  int open_and_connect(const SocketAddress& server, const SocketAddress* source, int sndbuf,
                       int rcvbuf);
  /// The connect's outcome once the socket is writable: 0 or an errno value.
  int connect_result() const noexcept;
  /// Whether the kernel had to retransmit the SYN of a connect that has just
  /// succeeded after `connect_time` (TCP_INFO: at establishment only the SYN
  /// can have been; without TCP_INFO, a connect of 1 s or more, the initial
  /// retransmission timeout).
  bool syn_retransmitted(std::chrono::nanoseconds connect_time) const noexcept;
  /// Whether the connected socket is connected to itself: to a local
  /// address where nothing listens, the kernel may pick the server's own
  /// port as the source port, and TCP's simultaneous open succeeds.
  bool connected_to_itself(const SocketAddress& server) const noexcept;
  /// Sends as much of `data` as the kernel takes now.
  IoResult send(std::string_view data) noexcept;
  /// Reads up to `capacity` bytes into `buffer`, with the kernel's receive
  /// timestamp of the last of them.
  IoResult receive(char* buffer, std::size_t capacity) noexcept;
  void close() noexcept;

  int fd() const noexcept { return fd_; }
  bool is_open() const noexcept { return fd_ >= 0; }

  /// Notes readiness from the socket's epoll event bits.
  void on_events(std::uint32_t events) noexcept;
  /// Whether a call that needs `want` can go on without waiting.
  bool ready(Want want) const noexcept {
    return want == Want::read ? readable : want == Want::write ? writable : true;
  }
  /// Whether epoll said the peer closed its side or the socket failed
  /// (EPOLLRDHUP, EPOLLHUP, EPOLLERR): no reply can come any more.
  bool peer_closed() const noexcept { return peer_closed_; }
  /// The socket's pending error (SO_ERROR: ECONNRESET after a reset), or 0.
  int pending_error() const noexcept;

  /// Readiness as last reported by epoll and not yet used up.
  bool readable = false;  // input (or end/error) pending
  bool writable = false;  // room in the send buffer (or connect done)

 private:
  int fd_ = -1;               // the descriptor, or -1
  bool peer_closed_ = false;  // the peer closed (or the socket failed): reads
                              // go on until they find the end or the error
};

/// How long ago the kernel queued bytes stamped `arrived_ns` (IoResult), by
/// the realtime clock now; zero when unknown or in the future.
std::chrono::nanoseconds time_since_arrival(std::int64_t arrived_ns) noexcept;

/// The counted reason for a failed connect() or socket() (an errno value).
stats::Reason connect_failure_reason(int error) noexcept;
/// The counted reason for a failed read or write (an errno value).
stats::Reason io_failure_reason(int error) noexcept;

}  // namespace swarm::engine
