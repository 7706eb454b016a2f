#include "engine/tls_failure.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <utility>

namespace swarm::engine {
namespace {

using stats::Reason;

/// Alert names, RFC 8446 section 6 (and the reserved ones TLS 1.2 used).
constexpr std::array<std::pair<std::uint8_t, const char*>, 34> kAlerts{{
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {120, "no_application_protocol"},
}};

/// What OpenSSL's error queue held, emptied.
struct QueuedErrors {
  unsigned long first = 0;  // the first error (the cause)
  int alert = -1;           // a fatal alert the server sent, or -1
  bool verify = false;      // certificate verification failed
};

QueuedErrors drain_errors() {
  QueuedErrors found;
  while (unsigned long error = ERR_get_error()) {
    if (found.first == 0) found.first = error;
    if (ERR_GET_LIB(error) != ERR_LIB_SSL) continue;
    const int reason = ERR_GET_REASON(error);
    if (reason == SSL_R_CERTIFICATE_VERIFY_FAILED) found.verify = true;
    if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
      found.alert = reason - SSL_AD_REASON_OFFSET;
    }
  }
  return found;
}

TlsFailure verify_failure(SSL* ssl, std::string_view server, std::string_view rejected) {
  const long result = SSL_get_verify_result(ssl);
  std::string hint;
  if (result == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
      result == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
      result == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY) {
    hint = "; its CA must be in --tls-ca FILE (or the system store), or use --tls-insecure";
  } else if (result == X509_V_ERR_HOSTNAME_MISMATCH || result == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    hint = "; --tls-sni NAME sets the name to check";
  }
  std::string what = X509_verify_cert_error_string(result);
  if (!rejected.empty()) what += fmt::format(" ({})", rejected);
  return {Reason::tls_verify, "tls_verify",
          fmt::format("{}: certificate verify failed: {}{}", server, what, hint)};
}

/// Reasons that mean the bytes were not TLS at all.
bool not_tls(int reason) {
  return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
         reason == SSL_R_UNEXPECTED_RECORD;
}

}  // namespace

std::string tls_alert_name(std::uint8_t code) {
  for (const auto& [number, name] : kAlerts) {
    if (number == code) return name;
  }
  return std::to_string(code);
}

TlsFailure classify_tls_failure(ssl_st* ssl, std::string_view server, bool established,
                                std::string_view rejected) {
  const QueuedErrors errors = drain_errors();
  const char* when = established ? "after" : "during";
  if (errors.alert >= 0) {
    const std::string name = tls_alert_name(static_cast<std::uint8_t>(errors.alert));
    return {Reason::tls_alert, "tls_alert:" + name,
            fmt::format("{}: the server sent alert {} ({}) {} the handshake", server, name,
                        errors.alert, when)};
  }
  if (errors.verify && !established && ssl != nullptr) return verify_failure(ssl, server, rejected);
  const char* text = errors.first != 0 ? ERR_reason_error_string(errors.first) : nullptr;
  std::string message =
      fmt::format("{}: {} {} the handshake", server, text != nullptr ? text : "TLS failure", when);
  if (!established && not_tls(ERR_GET_REASON(errors.first))) {
    message += " (does the server speak TLS on this port?)";
  }
  if (established) return {Reason::tls_error, "tls_error", std::move(message)};
  return {Reason::tls_handshake, "tls_handshake", std::move(message)};
}

TlsFailure tls_handshake_failure(std::string_view server, std::string_view what) {
  return {Reason::tls_handshake, "tls_handshake",
          fmt::format("{}: {} during the TLS handshake (does the server speak TLS on this port?)",
                      server, what)};
}

}  // namespace swarm::engine
