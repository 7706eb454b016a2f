#include "web/response_reader.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace swarm::web {
namespace {

ResponseReader& self(http_parser* parser) {
  return *static_cast<ResponseReader*>(parser->data);
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return text;
}

}  // namespace

std::optional<std::string_view> HttpReply::header(const std::string& name) const {
  const auto it = headers.find(name);
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->second);
}

ResponseReader::ResponseReader(std::size_t max_body) : max_body_(max_body) {
  http_parser_settings_init(&settings_);
  settings_.on_header_field = &ResponseReader::on_header_field;
  settings_.on_header_value = &ResponseReader::on_header_value;
  settings_.on_headers_complete = &ResponseReader::on_headers_complete;
  settings_.on_body = &ResponseReader::on_body;
  settings_.on_message_complete = &ResponseReader::on_message_complete;
  http_parser_init(&parser_, HTTP_RESPONSE);
  parser_.data = this;
}

void ResponseReader::feed(std::string_view bytes) {
  if (complete_ || error_ || bytes.empty()) return;
  check(http_parser_execute(&parser_, &settings_, bytes.data(), bytes.size()), bytes.size());
}

void ResponseReader::finish() {
  if (complete_ || error_) return;
  // Zero bytes tell http-parser the connection ended: a body without a
  // length is complete then.
  http_parser_execute(&parser_, &settings_, nullptr, 0);
  if (!complete_) error_ = "the connection closed before the whole response";
}

void ResponseReader::check(std::size_t used, std::size_t given) {
  const auto code = static_cast<http_errno>(parser_.http_errno);
  if (code == HPE_PAUSED || complete_) return;  // paused at the end of the response
  if (code != HPE_OK) {
    if (!error_) error_ = fmt::format("malformed response: {}", http_errno_description(code));
    return;
  }
  if (used != given && !error_) error_ = "malformed response";
}

void ResponseReader::store_header() {
  if (field_.empty()) return;
  auto [slot, fresh] = reply_.headers.try_emplace(lower(std::move(field_)), value_);
  if (!fresh) slot->second += ", " + value_;
  field_.clear();
  value_.clear();
}

int ResponseReader::on_header_field(http_parser* parser, const char* at, std::size_t length) {
  ResponseReader& r = self(parser);
  if (r.in_value_) r.store_header();
  r.in_value_ = false;
  r.field_.append(at, length);
  return 0;
}

int ResponseReader::on_header_value(http_parser* parser, const char* at, std::size_t length) {
  ResponseReader& r = self(parser);
  r.in_value_ = true;
  r.value_.append(at, length);
  return 0;
}

int ResponseReader::on_headers_complete(http_parser* parser) {
  ResponseReader& r = self(parser);
  r.store_header();
  r.reply_.status = static_cast<int>(parser->status_code);
  if (parser->content_length != ULLONG_MAX && parser->content_length > r.max_body_) {
    r.error_ = fmt::format("response body of {} bytes, over the {} taken", parser->content_length,
                           r.max_body_);
    return 1;
  }
  return 0;
}

int ResponseReader::on_body(http_parser* parser, const char* at, std::size_t length) {
  ResponseReader& r = self(parser);
  if (r.reply_.body.size() + length > r.max_body_) {
    r.error_ = fmt::format("response body over {} bytes", r.max_body_);
    return 1;
  }
  r.reply_.body.append(at, length);
  return 0;
}

int ResponseReader::on_message_complete(http_parser* parser) {
  ResponseReader& r = self(parser);
  r.complete_ = true;
  http_parser_pause(parser, 1);
  return 0;
}

}  // namespace swarm::web
