// Both ends of a TLS connection over real loopback TCP, driven step by step
// on the test's own thread: swarm's client side (TcpSocket + TlsSession,
// readiness from an edge-triggered epoll set, as the event loop gives it)
// and an OpenSSL server whose records are held back in memory and sent in
// chunks the test chooses, so a record can arrive cut at any byte, or
// several records in one segment.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "engine/tcp_socket.hpp"
#include "engine/tls_context.hpp"
#include "engine/tls_session.hpp"

namespace swarm::engine::testing {

/// A self-signed certificate for localhost and 127.0.0.1 (EC P-256), and
/// its PEM in a file for --tls-ca.
class TestCertificate {
 public:
  explicit TestCertificate(const char* common_name = "localhost") {
    key_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    certificate_ = X509_new();
    X509_set_version(certificate_, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(certificate_), 1);
    X509_gmtime_adj(X509_getm_notBefore(certificate_), -60);
    X509_gmtime_adj(X509_getm_notAfter(certificate_), 3600);
    X509_set_pubkey(certificate_, key_);
    X509_NAME* name = X509_get_subject_name(certificate_);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
    X509_set_issuer_name(certificate_, name);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, certificate_, certificate_, nullptr, nullptr, 0);
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                              std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
      X509_add_ext(certificate_, extension, -1);
      X509_EXTENSION_free(extension);
    }
    X509_sign(certificate_, key_, EVP_sha256());
    char path[] = "/tmp/swarm-tls-test-XXXXXX";
    const int fd = ::mkstemp(path);
    path_ = path;
    FILE* file = ::fdopen(fd, "w");
    PEM_write_X509(file, certificate_);
    PEM_write_PrivateKey(file, key_, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(file);
  }
  ~TestCertificate() {
    ::unlink(path_.c_str());
    X509_free(certificate_);
    EVP_PKEY_free(key_);
  }
  TestCertificate(const TestCertificate&) = delete;
  TestCertificate& operator=(const TestCertificate&) = delete;

  X509* certificate() const { return certificate_; }
  EVP_PKEY* key() const { return key_; }
  /// The certificate and key, PEM.
  const std::string& path() const { return path_; }

 private:
  EVP_PKEY* key_ = nullptr;
  X509* certificate_ = nullptr;
  std::string path_;
};

/// An OpenSSL server on one accepted connection. It reads straight from the
/// socket; what it writes is held until flush().
class TlsServerEnd {
 public:
  struct Settings {
    int max_version = 0;  // e.g. TLS1_2_VERSION; 0: any
    bool require_client_certificate = false;
    int receive_buffer = 0;  // SO_RCVBUF of accepted sockets; 0: the kernel's
  };

  TlsServerEnd(const TestCertificate& identity, Settings settings) {
    context_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(context_, identity.certificate());
    SSL_CTX_use_PrivateKey(context_, identity.key());
    if (settings.max_version != 0) SSL_CTX_set_max_proto_version(context_, settings.max_version);
    if (settings.require_client_certificate) {
      X509_STORE_add_cert(SSL_CTX_get_cert_store(context_), identity.certificate());
      SSL_CTX_set_verify(context_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    SSL_CTX_set_session_id_context(context_, reinterpret_cast<const unsigned char*>("t"), 1);
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (settings.receive_buffer > 0) {
      ::setsockopt(listener_, SOL_SOCKET, SO_RCVBUF, &settings.receive_buffer,
                   sizeof settings.receive_buffer);
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 4);
    socklen_t length = sizeof address_;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address_), &length);
  }
  ~TlsServerEnd() {
    drop();
    ::close(listener_);
    SSL_CTX_free(context_);
  }
  TlsServerEnd(const TlsServerEnd&) = delete;
  TlsServerEnd& operator=(const TlsServerEnd&) = delete;

  SocketAddress address() const {
    SocketAddress made;
    std::memcpy(&made.storage, &address_, sizeof address_);
    made.length = sizeof address_;
    return made;
  }
  std::string name() const { return "127.0.0.1:" + std::to_string(ntohs(address_.sin_port)); }

  /// Accepts the next connection (blocking) and starts a server session on it.
  void accept() {
    drop();
    fd_ = ::accept(listener_, nullptr, nullptr);
    ::fcntl(fd_, F_SETFL, O_NONBLOCK);
    const int one = 1;  // each flush() is on the wire at once, not after an ACK
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ssl_ = SSL_new(context_);
    held_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, BIO_new_socket(fd_, BIO_NOCLOSE), held_);
    SSL_set_accept_state(ssl_);
  }
  /// One handshake step; true once done. Sends what it wrote.
  bool handshake() {
    const int result = SSL_do_handshake(ssl_);
    ERR_clear_error();
    flush();
    return result == 1;
  }
  /// Encrypts `text` as one record, held until flush().
  void write(const std::string& text) {
    SSL_write(ssl_, text.data(), static_cast<int>(text.size()));
  }
  /// Sends the held bytes, `chunk` bytes per send() (all in one by default).
  void flush(std::size_t chunk = SIZE_MAX) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(held_, &data);
    for (long at = 0; at < size;) {
      const std::size_t part = std::min<std::size_t>(chunk, static_cast<std::size_t>(size - at));
      const ssize_t sent = ::send(fd_, data + at, part, MSG_NOSIGNAL);
      if (sent <= 0) break;
      at += sent;
    }
    (void)BIO_reset(held_);
  }
  /// The held bytes not yet sent.
  std::string held() const {
    char* data = nullptr;
    const long size = BIO_get_mem_data(held_, &data);
    return std::string(data, static_cast<std::size_t>(size));
  }
  /// Decrypts what has arrived ("" when nothing has). Sends what it wrote.
  std::string read() {
    std::string text;
    char buffer[4096];
    for (int got; (got = SSL_read(ssl_, buffer, sizeof buffer)) > 0;) text.append(buffer, got);
    last_error_ = SSL_get_error(ssl_, -1);
    ERR_clear_error();
    flush();
    return text;
  }
  int last_error() const { return last_error_; }
  SSL* ssl() const { return ssl_; }
  int fd() const { return fd_; }
  /// Closes the TCP connection without close_notify.
  void drop() {
    SSL_free(ssl_);
    ssl_ = nullptr;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* held_ = nullptr;  // owned by ssl_
  int listener_ = -1;
  int fd_ = -1;
  int last_error_ = 0;
  sockaddr_in address_{};
};

/// swarm's side: a TcpSocket whose readiness comes from an edge-triggered
/// epoll set, and a TlsSession over it.
class TlsClientEnd {
 public:
  TlsClientEnd(TlsContext& context, const SocketAddress& server, int sndbuf = 0)
      : context_(context) {
    socket_.open_and_connect(server, nullptr, sndbuf, 0);
    epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, socket_.fd(), &event);
    pump(1000);  // the connect's writable edge
    session_ = TlsSession::start(context_, socket_, 0);
  }
  ~TlsClientEnd() {
    if (session_ != nullptr) session_->close();
    ::close(epoll_);
  }
  TlsClientEnd(const TlsClientEnd&) = delete;
  TlsClientEnd& operator=(const TlsClientEnd&) = delete;

  /// Takes the socket's readiness edges, waiting up to `timeout_ms`.
  void pump(int timeout_ms = 50) {
    epoll_event events[4];
    const int count = ::epoll_wait(epoll_, events, 4, timeout_ms);
    for (int i = 0; i < count; ++i) socket_.on_events(events[i].events);
  }
  /// Runs the handshake against `server` until both ends are done; the
  /// client's last step.
  IoResult handshake(TlsServerEnd& server) {
    IoResult step{};
    for (int round = 0; round < 50; ++round) {
      step = session_->handshake();
      if (step.error != 0) return step;
      const bool server_done = server.handshake();
      if (step.want == Want::none && server_done) return step;
      pump();
    }
    return step;
  }
  /// Decrypts what can be read now into text; the last call's result.
  IoResult receive(std::string& text) {
    char buffer[256];
    IoResult got = session_->receive(buffer, sizeof buffer);
    if (got.bytes > 0) text.append(buffer, static_cast<std::size_t>(got.bytes));
    return got;
  }
  /// Closes the session (close_notify when in good order) and the socket.
  void close() {
    session_->close();
    session_ = nullptr;
    socket_.close();
  }

  TlsSession& session() { return *session_; }
  TcpSocket& socket() { return socket_; }

 private:
  TlsContext& context_;
  TcpSocket socket_;
  TlsSession* session_ = nullptr;
  int epoll_ = -1;
};

}  // namespace swarm::engine::testing
