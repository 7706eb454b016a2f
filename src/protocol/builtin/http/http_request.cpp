#include "protocol/builtin/http/http_request.hpp"

#include <fmt/format.h>
#include <strings.h>

#include <algorithm>
#include <charconv>

namespace swarm::protocol::builtin::http {
namespace {

/// Whether `c` may be in a token (a method, a header name; RFC 9110 5.6.2).
bool is_token_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte <= 0x20 || byte >= 0x7f) return false;
  return std::string_view("\"(),/:;<=>?@[\\]{}").find(c) == std::string_view::npos;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

/// The method: a token, GET when absent.
std::string method_of(const ArgReader& args) {
  std::string method = args.text("method").value_or("GET");
  if (!is_token(method) || method.size() > 32) {
    args.fail("method", "expected an HTTP method (GET, POST, ...): letters, no spaces");
  }
  return method;
}

/// The request target: origin-form (/path?query), absolute-form
/// (http://host/path, through a proxy) or `*` (OPTIONS).
TextTemplate path_of(const ArgReader& args) {
  const std::string path = args.text("path").value_or("");
  const std::string_view target = path;
  const bool form = target.starts_with("/") || target == "*" || target.starts_with("http://") ||
                    target.starts_with("https://");
  const bool clean = std::none_of(path.begin(), path.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte <= 0x20 || byte == 0x7f;
  });
  if (!form || !clean) {
    args.fail("path",
              "expected a path starting with '/' (or http://..., or *), without spaces or "
              "control characters (write a space as %20)");
  }
  return TextTemplate::compile(path, args.where("path"), args.what("path"));
}

}  // namespace

HttpRequest HttpRequest::bind(const ArgReader& args) {
  HttpRequest request;
  request.method_ = method_of(args);
  request.path_ = path_of(args);
  if (const plan::Value* headers = args.find("headers")) {
    for (const auto& [name, value] : *headers->as_map()) {
      const std::string what = fmt::format("{} '{}'", args.what("headers"), name);
      if (!is_token(name)) {
        throw BindError(value.where, what + ": a header name is a token (letters, digits, -)");
      }
      if (same_name(name, "Content-Length") || same_name(name, "Transfer-Encoding")) {
        throw BindError(value.where, what +
                                         ": swarm frames the body itself (Content-Length "
                                         "from body or size)");
      }
      if (value.as_map() != nullptr || value.as_list() != nullptr || value.is_null()) {
        throw BindError(value.where, what + ": expected text");
      }
      const std::string text = scalar_text(value);
      if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        throw BindError(value.where, what + ": a header value is one line");
      }
      if (same_name(name, "Host")) request.own_host_ = true;
      request.headers_.push_back({name, TextTemplate::compile(text, value.where, what)});
    }
  }
  request.body_ = Payload::read(args, "body");
  const std::string& method = request.method_;
  request.empty_length_ =
      !request.body_ && (method == "POST" || method == "PUT" || method == "PATCH");
  return request;
}

bool HttpRequest::is_constant() const noexcept {
  return path_.is_constant() && (!body_ || body_->is_constant()) &&
         std::all_of(headers_.begin(), headers_.end(),
                     [](const Header& header) { return header.value.is_constant(); });
}

void HttpRequest::render(std::string& out, const Substitutions& with, std::string_view host) const {
  out += method_;
  out += ' ';
  path_.render(out, with);
  out += " HTTP/1.1\r\n";
  if (!own_host_ && !host.empty()) {
    out += "Host: ";
    out += host;
    out += "\r\n";
  }
  for (const Header& header : headers_) {
    out += header.name;
    out += ": ";
    header.value.render(out, with);
    out += "\r\n";
  }
  if (!body_) {
    out += empty_length_ ? "Content-Length: 0\r\n\r\n" : "\r\n";
    return;
  }
  // The length goes before the body: render the body, then put it in front.
  out += "Content-Length: ";
  const std::size_t at = out.size();
  body_->render(out, with);
  char digits[24];
  auto [end, error] = std::to_chars(digits, digits + sizeof digits - 4, out.size() - at);
  static_cast<void>(error);
  for (const char c : {'\r', '\n', '\r', '\n'}) *end++ = c;
  out.insert(at, digits, static_cast<std::size_t>(end - digits));
}

}  // namespace swarm::protocol::builtin::http
