// HttpRequest: one `request` action's HTTP/1.1 request, bound once from the
// plan's args (method, path, headers, body or size) and rendered per request
// without allocating: the path, header values and body take {id}, {seq} and
// {rand:LO-HI}. The Host header is the connection's server name
// (Client::server_name()) unless the plan gives one; Content-Length is
// swarm's, from the body as rendered.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/builtin/arg_reader.hpp"
#include "protocol/builtin/payload.hpp"
#include "protocol/builtin/text_template.hpp"

namespace swarm::protocol::builtin::http {

class HttpRequest {
 public:
  /// Binds a `request` action's args (checked against the table already).
  /// Throws BindError for a bad method, path, header or body.
  static HttpRequest bind(const ArgReader& args);

  /// Whether the method is HEAD (its replies have no body).
  bool head() const noexcept { return method_ == "HEAD"; }
  /// Whether every request is the same for one Host (no substitutions).
  bool is_constant() const noexcept;
  /// Appends one request made with `with`, for server name `host` (no Host
  /// header when it is empty and the plan gives none).
  void render(std::string& out, const Substitutions& with, std::string_view host) const;

 private:
  /// A header the plan gives.
  struct Header {
    std::string name;    // as written
    TextTemplate value;  // with substitutions
  };

  std::string method_;           // "GET", "POST", ...
  TextTemplate path_;            // the request target
  std::vector<Header> headers_;  // in plan order
  bool own_host_ = false;        // the plan gives Host: no default one
  std::optional<Payload> body_;  // body or size
  bool empty_length_ = false;    // no body, but a method that carries one:
                                 // Content-Length: 0
};

}  // namespace swarm::protocol::builtin::http
