// TlsFailure: why a TLS session failed, as counted and shown: a reason
// (tls_verify, tls_handshake, tls_alert, tls_error), a kind that names it
// in the reports ("tls_verify", "tls_alert:unknown_ca") and a message for a
// person ("localhost:8443: certificate verify failed: self-signed
// certificate (subject CN=localhost)").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stats/recorder.hpp"

struct ssl_st;

namespace swarm::engine {

struct TlsFailure {
  stats::Reason reason = stats::Reason::tls_error;  // what it is counted under
  std::string kind;                                 // its name in the reports
  std::string message;                              // for a person
};

/// The RFC 8446 name of TLS alert `code` ("handshake_failure",
/// "certificate_required", ...), or its number for an unknown one. OpenSSL's
/// own descriptions miss alerts TLS 1.3 added and mix spaces with
/// underscores, hence this table.
std::string tls_alert_name(std::uint8_t code);

/// Classifies the failure of an SSL call on `ssl` that returned
/// SSL_ERROR_SSL, from OpenSSL's error queue (which it empties) and the
/// verification result. `server` names the server in the message;
/// `established` says whether the handshake had completed; `rejected`
/// names the certificate verification rejected, if it did.
TlsFailure classify_tls_failure(ssl_st* ssl, std::string_view server, bool established,
                                std::string_view rejected = {});

/// A failure found without an SSL error: `what` happened during the
/// handshake (the server closed or reset the connection).
TlsFailure tls_handshake_failure(std::string_view server, std::string_view what);

}  // namespace swarm::engine
