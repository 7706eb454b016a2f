#include "engine/tls_context.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <filesystem>
#include <stdexcept>

#include "engine/address.hpp"
#include "engine/tls_session.hpp"

namespace swarm::engine {
namespace {

/// OpenSSL's reason for the last failure, with its queue emptied.
std::string openssl_error() {
  unsigned long first = ERR_get_error();
  ERR_clear_error();
  const char* reason = first != 0 ? ERR_reason_error_string(first) : nullptr;
  return reason != nullptr ? reason : "OpenSSL failed";
}

[[noreturn]] void fail(std::string_view flag, const std::string& path, const std::string& what) {
  throw std::runtime_error(fmt::format("{} {}: {}", flag, path, what));
}

/// Checks that `path` can be read before OpenSSL says "system lib".
void check_readable(std::string_view flag, const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) fail(flag, path, "no such file");
}

TlsPeer peer_of(const TlsConfig& config, const ServerTarget& server) {
  TlsPeer peer;
  peer.name = server.name;
  const std::string host = split_host_port(server.name).first;
  if (config.sni) {
    // A name given on the command line is sent and checked; an empty one
    // turns SNI off and leaves the host to check.
    peer.sni = *config.sni;
    peer.verify_name = config.sni->empty() ? host : *config.sni;
    peer.verify_ip = config.sni->empty() && server.literal;
  } else {
    // RFC 6066: no SNI for an IP address.
    peer.sni = server.literal ? "" : host;
    peer.verify_name = host;
    peer.verify_ip = server.literal;
  }
  return peer;
}

/// Encrypted keys would make OpenSSL ask on the terminal: refuse them.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

}  // namespace

TlsContext::TlsContext(const TlsConfig& config, const std::vector<ServerTarget>& servers,
                       std::function<void(std::string)> notice)
    : config_(config), notice_(std::move(notice)) {
  context_ = SSL_CTX_new(TLS_client_method());
  if (context_ == nullptr) throw std::runtime_error("--tls: " + openssl_error());
  // No record buffers while a connection waits (idle connections stay lean);
  // writes may end after whole records; reads take what the socket has.
  SSL_CTX_set_mode(context_, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                                 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_read_ahead(context_, 1);
  // A TCP close without close_notify ends the stream like one (counted as
  // `closed`), and keeps the session resumable.
  SSL_CTX_set_options(context_, SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_default_passwd_cb(context_, no_passphrase);
  SSL_CTX_set_app_data(context_, this);
  SSL_CTX_set_verify(context_, config_.insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, on_verify);
  try {
    load_trust();
    load_client_certificate();
    set_versions_and_alpn();
  } catch (...) {
    SSL_CTX_free(context_);
    throw;
  }
  if (config_.resume) {
    // Sessions are kept here, per server, not in OpenSSL's locked cache.
    SSL_CTX_set_session_cache_mode(context_,
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(context_, TlsSession::on_new_session);
  } else {
    SSL_CTX_set_session_cache_mode(context_, SSL_SESS_CACHE_OFF);
  }
  for (const auto& server : servers) peers_.push_back(peer_of(config_, server));
  sessions_.resize(peers_.size());
  announced_.assign(peers_.size(), false);
}

TlsContext::~TlsContext() {
  for (auto& kept : sessions_) {
    for (SSL_SESSION* session : kept) SSL_SESSION_free(session);
  }
  SSL_CTX_free(context_);
}

void TlsContext::load_trust() {
  if (config_.insecure) return;
  if (config_.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(context_) != 1) {
      throw std::runtime_error("--tls: the system CA store: " + openssl_error());
    }
    return;
  }
  check_readable("--tls-ca", config_.ca_file);
  const bool directory = std::filesystem::is_directory(config_.ca_file);
  const int loaded =
      directory ? SSL_CTX_load_verify_locations(context_, nullptr, config_.ca_file.c_str())
                : SSL_CTX_load_verify_locations(context_, config_.ca_file.c_str(), nullptr);
  if (loaded != 1) fail("--tls-ca", config_.ca_file, openssl_error());
}

void TlsContext::load_client_certificate() {
  if (config_.cert_file.empty()) return;
  check_readable("--tls-cert", config_.cert_file);
  if (SSL_CTX_use_certificate_chain_file(context_, config_.cert_file.c_str()) != 1) {
    fail("--tls-cert", config_.cert_file, openssl_error());
  }
  const bool separate = !config_.key_file.empty();
  const std::string& key = separate ? config_.key_file : config_.cert_file;
  const char* flag = separate ? "--tls-key" : "--tls-cert";
  check_readable(flag, key);
  if (SSL_CTX_use_PrivateKey_file(context_, key.c_str(), SSL_FILETYPE_PEM) != 1) {
    fail(flag, key,
         openssl_error() + " (an unencrypted PEM private key is needed" +
             (separate ? ")" : "; give it with --tls-key FILE)"));
  }
  if (SSL_CTX_check_private_key(context_) != 1) {
    fail(flag, key, "the key does not match the certificate in " + config_.cert_file);
  }
}

void TlsContext::set_versions_and_alpn() {
  if (config_.min_version != 0 &&
      SSL_CTX_set_min_proto_version(context_, config_.min_version) != 1) {
    throw std::runtime_error("--tls-min-version: " + openssl_error());
  }
  if (config_.alpn.empty()) return;
  std::string wire;  // each protocol as a length byte and its name
  for (const auto& protocol : config_.alpn) {
    if (protocol.empty() || protocol.size() > 255) {
      throw std::runtime_error("--tls-alpn: each protocol name takes 1 to 255 bytes");
    }
    wire += static_cast<char>(protocol.size());
    wire += protocol;
  }
  // Returns 0 on success, unlike most of OpenSSL.
  if (SSL_CTX_set_alpn_protos(context_, reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size())) != 0) {
    throw std::runtime_error("--tls-alpn: " + openssl_error());
  }
}

int TlsContext::on_verify(int ok, X509_STORE_CTX* store) {
  if (ok == 1) return 1;
  // Only to say which certificate failed: the verdict stays OpenSSL's.
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* self = static_cast<TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  X509* certificate = X509_STORE_CTX_get_current_cert(store);
  if (self == nullptr || certificate == nullptr) return ok;
  std::array<char, 256> subject{};
  std::array<char, 256> issuer{};
  X509_NAME_oneline(X509_get_subject_name(certificate), subject.data(), subject.size());
  X509_NAME_oneline(X509_get_issuer_name(certificate), issuer.data(), issuer.size());
  self->rejected_ = fmt::format("subject {}, issuer {}, depth {}", subject.data(), issuer.data(),
                                X509_STORE_CTX_get_error_depth(store));
  return ok;
}

SSL_SESSION* TlsContext::take_session(std::size_t server) noexcept {
  std::vector<SSL_SESSION*>& kept = sessions_[server];
  while (!kept.empty()) {
    SSL_SESSION* newest = kept.back();
    if (SSL_SESSION_is_resumable(newest) != 1) {  // used up, or spoilt by a failure
      kept.pop_back();
      SSL_SESSION_free(newest);
      continue;
    }
    if (SSL_SESSION_get_protocol_version(newest) == TLS1_3_VERSION) {
      kept.pop_back();  // single use: the reference goes to the caller
    } else {
      SSL_SESSION_up_ref(newest);
    }
    return newest;
  }
  return nullptr;
}

void TlsContext::keep_session(std::size_t server, SSL_SESSION* session) noexcept {
  std::vector<SSL_SESSION*>& kept = sessions_[server];
  if (kept.size() == kKeptSessions) {
    SSL_SESSION_free(kept.front());
    kept.erase(kept.begin());
  }
  kept.push_back(session);
}

stats::Reason TlsContext::count_failure(stats::Recorder& recorder) const {
  recorder.count_error(failure_.reason, failure_.kind, failure_.message);
  return failure_.reason;
}

void TlsContext::announce(std::size_t server, const std::string& summary) {
  if (announced_[server]) return;
  announced_[server] = true;
  if (notice_) notice_(summary);
}

std::string TlsContext::describe(const TlsConfig& config) {
  std::string text = "TLS on every connection; certificates ";
  if (config.insecure) {
    text += "NOT VERIFIED (--tls-insecure)";
  } else {
    text += config.ca_file.empty() ? "verified against the system CA store"
                                   : "verified against " + config.ca_file;
  }
  if (!config.sni) {
    text += "; SNI: each server's host name";
  } else {
    text += config.sni->empty() ? "; no SNI" : "; SNI " + *config.sni;
  }
  if (!config.cert_file.empty()) text += "; client certificate " + config.cert_file;
  if (!config.alpn.empty()) text += fmt::format("; ALPN {}", fmt::join(config.alpn, ","));
  if (config.min_version == TLS1_2_VERSION) text += "; TLS 1.2 or later";
  if (config.min_version == TLS1_3_VERSION) text += "; TLS 1.3 only";
  text += config.resume ? "; sessions resumed on reconnect" : "; a full handshake per connect";
  return text;
}

}  // namespace swarm::engine
