#include "engine/tls_session.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <array>
#include <cstring>

#include "engine/tls_context.hpp"

namespace swarm::engine {

/// A BIO whose reads and writes are the connection's TcpSocket calls. When
/// the socket is known drained (or full) it answers "retry" without a
/// system call, and OpenSSL reports SSL_ERROR_WANT_READ (or WRITE).
struct TlsSession::Bio {
  static BIO_METHOD* method() {
    static BIO_METHOD* const made = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "swarm socket");
      BIO_meth_set_write_ex(m, write);
      BIO_meth_set_read_ex(m, read);
      BIO_meth_set_ctrl(m, control);
      BIO_meth_set_create(m, create);
      return m;
    }();
    return made;
  }

  static TlsSession& session_of(BIO* bio) { return *static_cast<TlsSession*>(BIO_get_data(bio)); }

  static int read(BIO* bio, char* buffer, std::size_t size, std::size_t* got) {
    TlsSession& self = session_of(bio);
    BIO_clear_retry_flags(bio);
    IoResult result{0, 0, Want::read};
    if (self.socket_.readable) result = self.socket_.receive(buffer, size);
    if (result.bytes > 0) {
      *got = static_cast<std::size_t>(result.bytes);
      self.starved_ = false;
      self.arrived_ns_ = result.arrived_ns;
      return 1;
    }
    if (result.want != Want::none) {
      self.starved_ = true;
      BIO_set_retry_read(bio);
    } else if (result.error != 0) {
      self.io_error_ = result.error;
    } else {
      BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
    }
    return 0;
  }

  static int write(BIO* bio, const char* data, std::size_t size, std::size_t* sent) {
    TlsSession& self = session_of(bio);
    BIO_clear_retry_flags(bio);
    IoResult result{0, 0, Want::write};
    if (self.socket_.writable) result = self.socket_.send({data, size});
    if (result.bytes > 0) {
      *sent = static_cast<std::size_t>(result.bytes);
      return 1;
    }
    if (result.want != Want::none) {
      BIO_set_retry_write(bio);
    } else {
      self.io_error_ = result.error;
    }
    return 0;
  }

  static long control(BIO* bio, int command, long, void*) {
    switch (command) {
      case BIO_CTRL_FLUSH:
        return 1;  // nothing is buffered here: writes go to the socket
      case BIO_CTRL_EOF:
        return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
      default:
        return 0;
    }
  }

  static int create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }
};

TlsSession* TlsSession::start(TlsContext& context, TcpSocket& socket, std::uint32_t server) {
  const TlsPeer& peer = context.peer(server);
  SSL* ssl = SSL_new(context.native());
  BIO* bio = ssl != nullptr ? BIO_new(Bio::method()) : nullptr;
  if (bio == nullptr) {
    SSL_free(ssl);
    context.set_failure(classify_tls_failure(nullptr, peer.name, false));
    return nullptr;
  }
  auto* session = new TlsSession(context, socket, server);
  session->ssl_ = ssl;
  BIO_set_data(bio, session);
  SSL_set_bio(ssl, bio, bio);  // the SSL owns the BIO
  if (!peer.sni.empty()) SSL_set_tlsext_host_name(ssl, peer.sni.c_str());
  if (!context.config().insecure) {
    if (peer.verify_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), peer.verify_name.c_str());
    } else {
      SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      SSL_set1_host(ssl, peer.verify_name.c_str());
    }
  }
  if (SSL_SESSION* kept = context.take_session(server)) {
    SSL_set_session(ssl, kept);  // takes a reference of its own
    SSL_SESSION_free(kept);
  }
  SSL_set_connect_state(ssl);
  return session;
}

IoResult TlsSession::handshake() noexcept {
  const int result = SSL_connect(ssl_);
  if (result != 1) return failed(result);
  // SSL_get_error() trusts the thread's error queue to hold only the failed
  // call's errors: leave nothing a successful handshake may have queued.
  ERR_clear_error();
  established_ = true;
  summarize();
  return {0, 0, Want::none};
}

IoResult TlsSession::send(std::string_view data) noexcept {
  std::size_t sent = 0;
  if (SSL_write_ex(ssl_, data.data(), data.size(), &sent) != 1) return failed(0);
  return {static_cast<std::ptrdiff_t>(sent), 0, Want::none};
}

IoResult TlsSession::receive(char* buffer, std::size_t capacity) noexcept {
  std::size_t got = 0;
  const bool read = SSL_read_ex(ssl_, buffer, capacity, &got) == 1;
  release_buffers();
  if (!read) return failed(0);
  // When the kernel had the last bytes OpenSSL read (they may have been
  // read ahead by an earlier call).
  return {static_cast<std::ptrdiff_t>(got), 0, Want::none, arrived_ns_};
}

void TlsSession::release_buffers() noexcept {
  // SSL_MODE_RELEASE_BUFFERS frees the read buffer once drained and the
  // write buffer after a write; but a read that handles a handshake message
  // (a TLS 1.3 session ticket) sets up a write buffer (16 KiB) that would
  // stay until the next write: an idle connection would keep it.
  if (SSL_has_pending(ssl_) == 0) SSL_free_buffers(ssl_);
}

bool TlsSession::ready(Want want) const noexcept {
  if (want != Want::read) return socket_.ready(want);
  // Bytes OpenSSL read ahead may hold whole records the socket will never
  // signal again; once the BIO ran dry, what it holds is a partial record.
  return socket_.readable || (!starved_ && SSL_has_pending(ssl_) == 1);
}

bool TlsSession::resumed() const noexcept {
  return SSL_session_reused(ssl_) == 1;
}

IoResult TlsSession::failed(int result) noexcept {
  switch (SSL_get_error(ssl_, result)) {
    case SSL_ERROR_WANT_READ:
      return {0, 0, Want::read};
    case SSL_ERROR_WANT_WRITE:
      return {0, 0, Want::write};
    case SSL_ERROR_ZERO_RETURN:  // close_notify, or a TCP close (IGNORE_UNEXPECTED_EOF)
      peer_closed_ = true;
      if (!established_) return handshake_failed("the server closed the connection");
      return {0, 0, Want::none};
    case SSL_ERROR_SYSCALL:
      ERR_clear_error();
      broken_ = true;
      if (!established_) {
        return handshake_failed(io_error_ != 0 ? std::strerror(io_error_)
                                               : "the server closed the connection");
      }
      if (io_error_ != 0) return {0, io_error_, Want::none};
      peer_closed_ = true;
      return {0, 0, Want::none};
    default:  // SSL_ERROR_SSL: a protocol failure, an alert, a certificate
      broken_ = true;
      context_.set_failure(classify_tls_failure(ssl_, context_.peer(server_).name, established_,
                                                context_.take_rejected()));
      return {0, kTlsFailure, Want::none};
  }
}

IoResult TlsSession::handshake_failed(const char* what) noexcept {
  broken_ = true;
  context_.set_failure(tls_handshake_failure(context_.peer(server_).name, what));
  return {0, kTlsFailure, Want::none};
}

void TlsSession::close() noexcept {
  if (established_ && !broken_) {
    if (context_.config().resume && !got_session_) {
      // TLS 1.3 sends the ticket after the handshake: take one that has
      // arrived, so a connection that never read still leaves a session.
      char byte;
      std::size_t got = 0;
      SSL_peek_ex(ssl_, &byte, 1, &got);
    }
    // Our close_notify keeps the session resumable; after the server's,
    // only the state is set (nothing is sent to a closed peer).
    if (peer_closed_) SSL_set_quiet_shutdown(ssl_, 1);
    SSL_shutdown(ssl_);
  }
  ERR_clear_error();
  SSL_free(ssl_);
  delete this;
}

int TlsSession::on_new_session(SSL* ssl, SSL_SESSION* session) {
  BIO* bio = SSL_get_rbio(ssl);
  if (bio == nullptr || SSL_SESSION_is_resumable(session) != 1) return 0;
  TlsSession& self = Bio::session_of(bio);
  self.got_session_ = true;
  self.context_.keep_session(self.server_, session);
  return 1;  // the reference is kept
}

void TlsSession::summarize() const {
  if (context_.announced(server_)) return;
  const unsigned char* alpn = nullptr;
  unsigned alpn_size = 0;
  SSL_get0_alpn_selected(ssl_, &alpn, &alpn_size);
  std::string protocol = alpn_size > 0 ? std::string(reinterpret_cast<const char*>(alpn), alpn_size)
                         : context_.config().alpn.empty() ? "not offered"
                                                          : "none chosen by the server";
  std::array<char, 256> subject{};
  if (X509* certificate = SSL_get0_peer_certificate(ssl_)) {
    X509_NAME_oneline(X509_get_subject_name(certificate), subject.data(), subject.size());
  }
  context_.announce(
      server_,
      fmt::format("tls: {}: {} {}, ALPN {}, certificate {} ({})", context_.peer(server_).name,
                  SSL_get_version(ssl_), SSL_get_cipher_name(ssl_), protocol, subject.data(),
                  context_.config().insecure ? "NOT verified: --tls-insecure" : "verified"));
}

}  // namespace swarm::engine
