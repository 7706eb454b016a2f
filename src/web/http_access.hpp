// Who may use the HTTP endpoint, decided per request before any handler
// runs. On loopback without a token: anyone on this machine, but only by a
// loopback name (a DNS-rebinding page cannot name it) and never from another
// site's page (Origin). With a token (required beyond loopback): every
// request carries it as `Authorization: Bearer TOKEN` or in the cookie a
// visit to `/?token=TOKEN` sets; failures are slowed by the caller's
// throttle. The token check itself is the console's (constant-time): this
// unit takes it as a function so both endpoints share one secret.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "web/http_message.hpp"

namespace swarm::web {

/// The cookie that carries the token for a browser.
inline constexpr std::string_view kTokenCookie = "swarm_token";

/// How to check a token: `matches` says whether an offered token is the
/// secret; `on_failure` counts a failure and says how long to wait before
/// answering it.
struct TokenCheck {
  std::function<bool(std::string_view offered)> matches;  // constant-time compare
  std::function<std::chrono::milliseconds()> on_failure;  // counts, returns the delay
};

/// What to do with a request.
struct AccessVerdict {
  std::optional<HttpResponse> refusal;  // set: answer this instead of the handler
  std::chrono::milliseconds delay{0};   // wait this long before the refusal
};

class HttpAccess {
 public:
  /// `token` empty: no token asked (the endpoint must then be on loopback).
  explicit HttpAccess(std::optional<TokenCheck> token) : token_(std::move(token)) {}

  /// Whether `request` may go to the handler; otherwise the answer.
  AccessVerdict check(const HttpRequest& request) const;

  /// Whether a token is asked for.
  bool needs_token() const noexcept { return token_.has_value(); }

 private:
  std::optional<std::string_view> offered_token(const HttpRequest& request) const;

  std::optional<TokenCheck> token_;  // the secret's check, when there is one
};

/// Whether `host` (a Host header: "localhost:8412", "127.0.0.1", "[::1]:80")
/// names this machine's loopback.
bool is_loopback_host(std::string_view host);

/// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name);

}  // namespace swarm::web
