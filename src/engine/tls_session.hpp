// TlsSession: one connection's TLS client session (an OpenSSL SSL) over its
// TcpSocket, with the calls the Transport makes: handshake, send, receive,
// readiness, close.
//
// OpenSSL reads and writes through a BIO of swarm's own over the socket, not
// a socket BIO on the descriptor: every byte goes through TcpSocket, so its
// edge-triggered readiness flags stay true to the socket, and a call that
// could only return EAGAIN is never made (the BIO answers "retry" at once).
// SSL_read decrypts into the worker's shared read buffer; OpenSSL's own
// record buffers exist only during a call (SSL_MODE_RELEASE_BUFFERS), so an
// idle session holds none.
//
// The object lives in the worker's slabs (48 B) and is freed by close().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/tcp_socket.hpp"
#include "swarm/task.hpp"

struct ssl_st;
struct ssl_session_st;

namespace swarm::engine {

class TlsContext;

/// IoResult::error of a TLS call that failed for a TLS reason: the context
/// (TlsContext::count_failure) knows which.
inline constexpr int kTlsFailure = -1;

class TlsSession {
 public:
  /// A client session over `socket` (connected) to server `server` of
  /// `context`, ready for handshake(). Null when OpenSSL cannot make one
  /// (the failure is noted in the context).
  static TlsSession* start(TlsContext& context, TcpSocket& socket, std::uint32_t server);

  /// One step of the handshake: want none when done (or failed, with an error).
  IoResult handshake() noexcept;
  /// Encrypts and sends as much of `data` as can go now.
  IoResult send(std::string_view data) noexcept;
  /// Decrypts up to `capacity` bytes into `buffer`; 0 bytes with no want
  /// and no error is the end of the stream (close_notify or a TCP close).
  IoResult receive(char* buffer, std::size_t capacity) noexcept;
  /// Whether a call that needs `want` can go on without waiting: for reads,
  /// the socket is readable or OpenSSL holds a record it has not handed out.
  bool ready(Want want) const noexcept;
  /// Whether the handshake resumed an earlier session.
  bool resumed() const noexcept;
  /// Says close_notify when the session is in good order (so it stays
  /// resumable), frees the SSL and this object. The socket stays open.
  void close() noexcept;

  /// OpenSSL's callback for a new session (--tls-resume): kept per server.
  static int on_new_session(ssl_st* ssl, ssl_session_st* session);

  static void* operator new(std::size_t size) { return detail::frame_allocate(size); }
  static void operator delete(void* memory, std::size_t size) noexcept {
    detail::frame_deallocate(memory, size);
  }

 private:
  struct Bio;  // the BIO's callbacks
  TlsSession(TlsContext& context, TcpSocket& socket, std::uint32_t server) noexcept
      : context_(context), socket_(socket), server_(server) {}
  ~TlsSession() = default;

  IoResult failed(int result) noexcept;
  IoResult handshake_failed(const char* what) noexcept;
  void release_buffers() noexcept;
  void summarize() const;

  TlsContext& context_;          // the worker's TLS setup
  TcpSocket& socket_;            // the connection's socket, under the BIO
  ssl_st* ssl_ = nullptr;        // OpenSSL's session, owned
  std::uint32_t server_;         // which server (its name, its session to resume)
  std::int64_t arrived_ns_ = 0;  // the kernel's stamp of the bytes the BIO read last
  int io_error_ = 0;             // the errno of the BIO's last failed call
  bool starved_ = false;         // the BIO ran out of socket bytes: what OpenSSL
                                 // holds is an incomplete record
  bool established_ = false;     // the handshake completed
  bool broken_ = false;          // a fatal error: no close_notify, not resumable
  bool peer_closed_ = false;     // the server ended the stream
  bool got_session_ = false;     // a session (ticket) for resumption arrived
};

}  // namespace swarm::engine
