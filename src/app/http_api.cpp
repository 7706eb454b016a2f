#include "app/http_api.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <variant>

#include "console/console_command.hpp"
#include "stats/json_report.hpp"
#include "web/web_assets.hpp"

namespace swarm::app {
namespace {

using web::HttpRequest;
using web::HttpResponse;

/// /metrics is built from a snapshot at most this old, however many
/// scrapers ask: each fresh one is a copy posted through every worker, so
/// a crowd of scrapers costs the workers 5 copies a second at most, and a
/// scrape is never more than this behind.
constexpr std::chrono::milliseconds kMetricsMaxAge{200};

HttpResponse not_found(const HttpRequest& request) {
  return HttpResponse::json_error(404, fmt::format("no such resource: {}", request.path));
}

HttpResponse wrong_method(std::string_view allowed) {
  HttpResponse response =
      HttpResponse::json_error(405, fmt::format("method not allowed here; use {}", allowed));
  response.headers.emplace_back("Allow", std::string(allowed));
  return response;
}

/// `key` (n, or r for a rate) from the query (?n=200), a JSON body
/// ({"n": 200}, or just 200) or a form body (n=200), as text for the
/// console's grammar; empty when none gives one. Throws
/// std::invalid_argument for a body that is none of these.
std::string command_argument(const HttpRequest& request, const std::string& key) {
  if (const auto n = request.param(key)) return std::string(*n);
  const std::size_t start = request.body.find_first_not_of(" \t\r\n");
  if (start == std::string::npos) return "";
  if (request.body[start] != '{' && request.body.find('=') != std::string::npos) {
    const auto form = web::parse_query(request.body);
    if (!form) throw std::invalid_argument(fmt::format("the body is not a form like {}=200", key));
    const auto n = form->find(key);
    return n == form->end() ? "" : n->second;
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(fmt::format("the body is not JSON: {}", error.what()));
  }
  if (body.is_number()) return body.dump();
  if (!body.is_object()) {
    throw std::invalid_argument(
        fmt::format("the body must be a JSON object like {{\"{}\": 200}}", key));
  }
  const auto n = body.find(key);
  if (n == body.end()) return "";
  return n->is_string() ? n->get<std::string>() : n->dump();
}

/// The console's reply as JSON: its first line says OK or why not; the
/// lines after it are warnings.
HttpResponse command_reply(std::string_view name, std::uint64_t n, const std::string& reply,
                           std::uint64_t target) {
  const std::size_t end = reply.find('\n');
  const std::string first = reply.substr(0, end);
  nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
  for (std::size_t at = end; at != std::string::npos && at + 1 < reply.size();) {
    const std::size_t next = reply.find('\n', at + 1);
    warnings.push_back(reply.substr(at + 1, next == std::string::npos ? next : next - at - 1));
    at = next;
  }
  const bool ok = first.starts_with("OK");
  nlohmann::ordered_json out = {{"ok", ok}, {"command", name}};
  if (n > 0) out["n"] = n;
  out["reply"] = first;
  out["warnings"] = std::move(warnings);
  out["target"] = target;
  if (!ok) out["error"] = first;
  return HttpResponse::json(ok ? 200 : 409, out.dump());
}

std::string sse(std::string_view event, std::string_view data) {
  return fmt::format("event: {}\ndata: {}\n\n", event, data);
}

}  // namespace

HttpApi::HttpApi(Controller& controller, std::string config_json, stats::MetricsInfo info)
    : controller_(controller), config_json_(std::move(config_json)), info_(std::move(info)) {
  // Before the first interval: the record of an empty run at its start.
  const stats::Snapshot start{stats::Recorder{}, controller_.context().started, {}};
  const stats::IntervalRecord record = stats::interval_record(controller_.context(), start, start);
  status_json_ = stats::format_interval_json(record);
  live_json_ = stats::format_live_json(controller_.context(), start, record);
}

HttpResponse HttpApi::handle(const HttpRequest& request) {
  if (request.method == "POST") return post(request);
  if (request.method == "GET" || request.method == "HEAD") return get(request);
  return wrong_method("GET, POST");
}

HttpResponse HttpApi::get(const HttpRequest& request) {
  const std::string& path = request.path;
  if (path == "/" || path == "/index.html") return dashboard(request);
  if (path.starts_with("/assets/")) {
    const auto file = web::find_asset(std::string_view(path).substr(8));
    if (!file || file->name.ends_with(".html")) return not_found(request);
    HttpResponse response;
    response.content_type = std::string(file->content_type);
    response.body = std::string(file->bytes);
    return response;
  }
  if (path == "/metrics") return metrics(request);
  if (path == "/api/status") return HttpResponse::json(200, status_json_);
  if (path == "/api/live") return HttpResponse::json(200, live_json_);
  if (path == "/api/intervals") return HttpResponse::json(200, "[" + intervals_json_ + "]");
  if (path == "/api/config") return HttpResponse::json(200, config_json_);
  if (path == "/api/events") return events();
  if (path.starts_with("/api/")) {
    const bool command =
        path == "/api/incr" || path == "/api/decr" || path == "/api/stop" || path == "/api/rate";
    return command ? wrong_method("POST") : not_found(request);
  }
  return not_found(request);
}

HttpResponse HttpApi::post(const HttpRequest& request) {
  const std::string& path = request.path;
  if (path == "/api/incr") return command(request, "incr");
  if (path == "/api/decr") return command(request, "decr");
  if (path == "/api/stop") return command(request, "stop");
  // POST /api/rate?r=R (or off): the controller's set_rate, as the console's
  // `rate R` calls it.
  if (path == "/api/rate") return command(request, "rate");
  const bool known = path == "/" || path == "/metrics" || path.starts_with("/api/");
  return known ? wrong_method("GET") : not_found(request);
}

HttpResponse HttpApi::dashboard(const HttpRequest& request) const {
  if (const auto token = request.param("token")) {
    // The token reached us in the address (and passed the check): keep it in
    // a cookie the page's own requests carry, and take it out of the address.
    HttpResponse response = HttpResponse::text(302, "");
    response.headers.emplace_back("Location", "/");
    response.headers.emplace_back(
        "Set-Cookie",
        fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict", web::kTokenCookie, *token));
    return response;
  }
  const web::WebAsset page = web::asset("dashboard.html");
  HttpResponse response;
  response.content_type = std::string(page.content_type);
  response.body = std::string(page.bytes);
  return response;
}

HttpResponse HttpApi::metrics(const HttpRequest& request) {
  const auto now = std::chrono::steady_clock::now();
  if (!controller_.stopping() &&
      (!have_metrics_snapshot_ || now - metrics_snapshot_.taken >= kMetricsMaxAge)) {
    metrics_snapshot_ = controller_.snapshot_now();
    have_metrics_snapshot_ = true;
  }
  const auto format = stats::metrics_format_for(request.header("accept").value_or(""));
  HttpResponse response;
  response.content_type = std::string(stats::metrics_content_type(format));
  response.body =
      stats::format_metrics(controller_.context(), metrics_snapshot_.totals, info_, format);
  return response;
}

HttpResponse HttpApi::events() const {
  HttpResponse response;
  response.event_stream = true;
  response.content_type = "text/event-stream; charset=utf-8";
  // Every interval so far first, so a page opened late draws the whole run.
  response.body = "retry: 2000\n\n" + history_event();
  if (!stop_reason_.empty()) {
    response.body += sse("end", fmt::format("{{\"reason\":{}}}", web::json_string(stop_reason_)));
  }
  return response;
}

std::string HttpApi::history_event() const {
  return sse("history",
             fmt::format("{{\"intervals\":[{}],\"live\":{},\"interval_s\":{}}}", intervals_json_,
                         live_json_,
                         std::chrono::duration<double>(controller_.settings().interval).count()));
}

HttpResponse HttpApi::command(const HttpRequest& request, std::string_view name) {
  using Kind = console::ConsoleCommand::Kind;
  std::string line(name);
  if (name != "stop") {
    try {
      line += " " + command_argument(request, name == "rate" ? "r" : "n");
    } catch (const std::invalid_argument& error) {
      return HttpResponse::json_error(400, error.what());
    }
  }
  // The console's own grammar: the same limits and the same words.
  const auto parsed = console::parse_console_command(line);
  if (const auto* error = std::get_if<console::ConsoleParseError>(&parsed)) {
    return HttpResponse::json_error(400, error->message);
  }
  const auto& command = std::get<console::ConsoleCommand>(parsed);
  std::string reply;
  if (command.kind == Kind::incr) reply = controller_.on_incr(command.count);
  if (command.kind == Kind::decr) reply = controller_.on_decr(command.count);
  if (command.kind == Kind::stop) reply = controller_.on_stop();
  if (command.kind == Kind::rate) reply = controller_.set_rate(command.rate);
  return command_reply(name, command.count, reply, controller_.target());
}

void HttpApi::on_interval(const stats::Snapshot& now, const stats::IntervalRecord& record) {
  status_json_ = stats::format_interval_json(record);
  live_json_ = stats::format_live_json(controller_.context(), now, record);
  if (!intervals_json_.empty()) intervals_json_ += ',';
  intervals_json_ += status_json_;
  if (server_ != nullptr) {
    server_->publish(std::make_shared<const std::string>(sse("interval", live_json_)));
  }
}

void HttpApi::on_stopping(const std::string& why) {
  stop_reason_ = why;
  if (server_ == nullptr) return;
  server_->publish(std::make_shared<const std::string>(
      sse("end", fmt::format("{{\"reason\":{}}}", web::json_string(why)))));
  server_->close();
}

}  // namespace swarm::app
