#include "web/http_access.hpp"

#include <fmt/format.h>

namespace swarm::web {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

/// "host" of "host:port" or "[v6]:port".
std::string_view host_part(std::string_view host) {
  if (host.starts_with('[')) {
    const std::size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(1, close - 1);
  }
  const std::size_t colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

/// "host:port" of an Origin ("http://host:port").
std::string_view origin_authority(std::string_view origin) {
  const std::size_t scheme = origin.find("://");
  if (scheme != std::string_view::npos) origin.remove_prefix(scheme + 3);
  return origin.substr(0, origin.find('/'));
}

bool is_safe_method(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS";
}

}  // namespace

bool is_loopback_host(std::string_view host) {
  std::string_view name = host_part(trim(host));
  if (name == "localhost" || name == "::1" || name.ends_with(".localhost")) return true;
  // 127.0.0.0/8 as a dotted quad.
  if (!name.starts_with("127.")) return false;
  int dots = 0;
  for (const char c : name) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t semi = header.find(';');
    const std::string_view part = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    const std::size_t eq = part.find('=');
    if (eq != std::string_view::npos && trim(part.substr(0, eq)) == name) {
      return trim(part.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> HttpAccess::offered_token(const HttpRequest& request) const {
  if (const auto auth = request.header("authorization")) {
    const std::string_view value = trim(*auth);
    if (value.size() > 7 && (value.starts_with("Bearer ") || value.starts_with("bearer "))) {
      return trim(value.substr(7));
    }
  }
  if (const auto cookies = request.header("cookie")) return cookie_value(*cookies, kTokenCookie);
  // The dashboard's first visit: /?token=... sets the cookie (see the handler).
  if (request.path == "/") return request.param("token");
  return std::nullopt;
}

AccessVerdict HttpAccess::check(const HttpRequest& request) const {
  const std::string_view host = request.header("host").value_or("");
  // A page from another site must not drive the load through a browser.
  if (const auto origin = request.header("origin");
      origin && !is_safe_method(request.method) && origin_authority(*origin) != trim(host)) {
    return {
        HttpResponse::json_error(403, fmt::format("cross-origin request from {} refused", *origin)),
        {}};
  }
  if (!token_) {
    // Loopback without a token: only by a loopback name, so that a page on
    // a name that was made to resolve to 127.0.0.1 (DNS rebinding) is refused.
    if (!is_loopback_host(host)) {
      return {HttpResponse::json_error(
                  403, fmt::format("Host '{}' is not a loopback name: use 127.0.0.1 or localhost",
                                   host)),
              {}};
    }
    return {};
  }
  const auto offered = offered_token(request);
  if (offered && token_->matches(*offered)) return {};
  HttpResponse refusal = HttpResponse::json_error(
      401, offered ? "wrong token" : "this endpoint needs a token: Authorization: Bearer TOKEN");
  refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"swarm\"");
  return {std::move(refusal), offered ? token_->on_failure() : std::chrono::milliseconds(0)};
}

}  // namespace swarm::web
