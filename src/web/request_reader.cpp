#include "web/request_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace swarm::web {
namespace {

RequestReader& self(http_parser* parser) {
  return *static_cast<RequestReader*>(parser->data);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return text;
}

}  // namespace

RequestReader::RequestReader(RequestLimits limits) : limits_(limits) {
  http_parser_settings_init(&settings_);
  settings_.on_url = &RequestReader::on_url;
  settings_.on_header_field = &RequestReader::on_header_field;
  settings_.on_header_value = &RequestReader::on_header_value;
  settings_.on_headers_complete = &RequestReader::on_headers_complete;
  settings_.on_body = &RequestReader::on_body;
  settings_.on_message_complete = &RequestReader::on_message_complete;
  reset();
}

void RequestReader::reset() {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  request_ = HttpRequest{};
  field_.clear();
  value_.clear();
  in_value_ = false;
  head_bytes_ = 0;
  complete_ = false;
}

std::size_t RequestReader::feed(std::string_view bytes) {
  if (complete_ || error_) return 0;
  const std::size_t used = http_parser_execute(&parser_, &settings_, bytes.data(), bytes.size());
  const auto code = static_cast<http_errno>(parser_.http_errno);
  if (code == HPE_PAUSED) {
    // on_message_complete paused the parser: one request at a time.
    http_parser_pause(&parser_, 0);
    return used;
  }
  if (code != HPE_OK && !error_) {
    fail(400, fmt::format("malformed request: {}", http_errno_description(code)));
  }
  return used;
}

HttpRequest RequestReader::take() {
  HttpRequest out = std::move(request_);
  reset();
  return out;
}

void RequestReader::fail(int status, std::string message) {
  if (!error_) error_ = RequestError{status, std::move(message)};
}

bool RequestReader::count_head(std::size_t length) {
  head_bytes_ += length;
  if (head_bytes_ <= limits_.max_head) return true;
  fail(431, fmt::format("request head over {} bytes", limits_.max_head));
  return false;
}

void RequestReader::store_header() {
  if (field_.empty()) return;
  std::string name = lower(std::move(field_));
  auto [slot, fresh] = request_.headers.try_emplace(std::move(name), value_);
  if (!fresh) slot->second += ", " + value_;
  field_.clear();
  value_.clear();
}

int RequestReader::on_url(http_parser* parser, const char* at, std::size_t length) {
  RequestReader& r = self(parser);
  if (!r.count_head(length)) return 1;
  r.request_.target.append(at, length);
  return 0;
}

int RequestReader::on_header_field(http_parser* parser, const char* at, std::size_t length) {
  RequestReader& r = self(parser);
  if (!r.count_head(length)) return 1;
  if (r.in_value_) r.store_header();
  r.in_value_ = false;
  r.field_.append(at, length);
  return 0;
}

int RequestReader::on_header_value(http_parser* parser, const char* at, std::size_t length) {
  RequestReader& r = self(parser);
  if (!r.count_head(length)) return 1;
  r.in_value_ = true;
  r.value_.append(at, length);
  return 0;
}

int RequestReader::on_headers_complete(http_parser* parser) {
  RequestReader& r = self(parser);
  r.store_header();
  HttpRequest& q = r.request_;
  q.method = http_method_str(static_cast<http_method>(parser->method));
  q.keep_alive = http_should_keep_alive(parser) != 0;
  if (parser->content_length != ULLONG_MAX && parser->content_length > r.limits_.max_body) {
    r.fail(413, fmt::format("request body over {} bytes", r.limits_.max_body));
    return 1;
  }
  http_parser_url url;
  http_parser_url_init(&url);
  if (http_parser_parse_url(q.target.data(), q.target.size(), 0, &url) != 0 ||
      !(url.field_set & (1 << UF_PATH))) {
    r.fail(400, fmt::format("cannot read the request target '{}'", q.target));
    return 1;
  }
  auto part = [&](int field) {
    return std::string_view(q.target).substr(url.field_data[field].off, url.field_data[field].len);
  };
  auto path = percent_decode(part(UF_PATH), false);
  auto query = parse_query((url.field_set & (1 << UF_QUERY)) ? part(UF_QUERY) : "");
  if (!path || !query) {
    r.fail(400, fmt::format("bad percent-encoding in '{}'", q.target));
    return 1;
  }
  q.path = std::move(*path);
  q.query = std::move(*query);
  return 0;
}

int RequestReader::on_body(http_parser* parser, const char* at, std::size_t length) {
  RequestReader& r = self(parser);
  if (r.request_.body.size() + length > r.limits_.max_body) {
    r.fail(413, fmt::format("request body over {} bytes", r.limits_.max_body));
    return 1;
  }
  r.request_.body.append(at, length);
  return 0;
}

int RequestReader::on_message_complete(http_parser* parser) {
  RequestReader& r = self(parser);
  r.complete_ = true;
  http_parser_pause(parser, 1);
  return 0;
}

}  // namespace swarm::web
