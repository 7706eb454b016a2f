// TlsContext: one worker's TLS setup, built from the --tls-* flags: its own
// SSL_CTX (trusted CAs, client certificate, versions, ALPN), what each
// server is called (the SNI sent, the name its certificate must carry), the
// last session of each server for --tls-resume, and the failure of the
// latest TLS call, classified for the counts.
//
// One per worker, not one per run: OpenSSL 3.0 takes the certificate
// store's write lock for every issuer lookup during verification and bumps
// shared counters in the SSL_CTX on every handshake; a context per worker
// shares nothing, at the price of one CA store per worker (DESIGN.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine_config.hpp"
#include "engine/tls_failure.hpp"
#include "stats/recorder.hpp"

struct ssl_ctx_st;
struct ssl_session_st;
struct x509_store_ctx_st;

namespace swarm::engine {

/// How one server is addressed over TLS.
struct TlsPeer {
  std::string name;         // the server as given (host:port), for messages
  std::string sni;          // server name sent in the ClientHello; empty: none
  std::string verify_name;  // the name (or address) its certificate must carry
  bool verify_ip = false;   // verify_name is an IP address, not a DNS name
};

class TlsContext {
 public:
  /// Builds the context. Throws std::runtime_error naming the flag when a
  /// file cannot be used or a value is wrong. `notice` tells the user
  /// something once (may be empty).
  TlsContext(const TlsConfig& config, const std::vector<ServerTarget>& servers,
             std::function<void(std::string)> notice = {});
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  ssl_ctx_st* native() const noexcept { return context_; }
  const TlsConfig& config() const noexcept { return config_; }
  const TlsPeer& peer(std::size_t server) const noexcept { return peers_[server]; }

  /// A session to resume with `server` (the caller owns the reference), or
  /// null. A TLS 1.3 ticket is handed out once: OpenSSL will not offer one
  /// again after a resumption with it (RFC 8446 C.4), so each connect takes
  /// its own; a TLS 1.2 session serves every connect.
  ssl_session_st* take_session(std::size_t server) noexcept;
  /// Keeps `session` (owned from now on) for the next connects to `server`;
  /// the oldest goes past kKeptSessions.
  void keep_session(std::size_t server, ssl_session_st* session) noexcept;
  /// Sessions kept for `server`.
  std::size_t kept_sessions(std::size_t server) const noexcept { return sessions_[server].size(); }

  /// Sessions kept per server: a server sends two TLS 1.3 tickets after a
  /// full handshake and one after a resumed one, so a few cover the
  /// reconnects in flight.
  static constexpr std::size_t kKeptSessions = 8;

  /// The certificate the latest verification rejected ("subject /CN=x,
  /// issuer /CN=y, depth 0"), or "" (read once: it is cleared).
  std::string take_rejected() { return std::exchange(rejected_, {}); }

  /// Notes how the latest TLS call failed.
  void set_failure(TlsFailure failure) { failure_ = std::move(failure); }
  /// Counts the failure noted last into `recorder`.
  stats::Reason count_failure(stats::Recorder& recorder) const;

  /// Whether the first handshake with `server` has been told of.
  bool announced(std::size_t server) const noexcept { return announced_[server]; }
  /// Says once per server what its first handshake agreed on.
  void announce(std::size_t server, const std::string& summary);

  /// One line for the start of a run: what the flags set up.
  static std::string describe(const TlsConfig& config);

 private:
  void load_trust();
  void load_client_certificate();
  void set_versions_and_alpn();
  static int on_verify(int ok, x509_store_ctx_st* store);

  TlsConfig config_;                                    // the flags
  ssl_ctx_st* context_ = nullptr;                       // OpenSSL's context, owned
  std::vector<TlsPeer> peers_;                          // per server
  std::vector<std::vector<ssl_session_st*>> sessions_;  // per server: sessions to resume,
                                                        // newest last, owned
  std::vector<bool> announced_;                         // per server: the first handshake was told
  TlsFailure failure_;                                  // the latest failure
  std::string rejected_;                                // the certificate verification rejected
  std::function<void(std::string)> notice_;             // tells the user once
};

}  // namespace swarm::engine
