#include "app/http_api.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <variant>

#include "app/options.hpp"
#include "console/console_command.hpp"
#include "stats/json_report.hpp"
#include "web/web_assets.hpp"

namespace swarm::app {
namespace {

using web::HttpRequest;
using web::HttpResponse;
using Seconds = std::chrono::duration<double>;

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

/// A number from `key`'s text, or nullopt when the request does not give
/// it; throws std::invalid_argument naming the key when it is not one.
std::optional<double> number_of(const HttpRequest& request, const std::string& key) {
  const std::string text = command_argument(request, key);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    throw std::invalid_argument(fmt::format("{} must be a number, got '{}'", key, text));
  }
  return value;
}

/// POST /api/target's n (connections), r (calls/s, or off) and at (Unix
/// seconds), from the query, a JSON body or a form.
ShareRequest share_of(const HttpRequest& request) {
  ShareRequest share;
  if (const auto n = number_of(request, "n")) {
    if (*n < 0 || *n > static_cast<double>(kMaxConnectionsAtOnce) || *n != std::floor(*n)) {
      throw std::invalid_argument(fmt::format(
          "n must be a whole number of connections from 0 to {}", kMaxConnectionsAtOnce));
    }
    share.target = static_cast<std::uint64_t>(*n);
  }
  const std::string rate = command_argument(request, "r");
  share.rate = rate == "off" ? std::optional<double>(0) : number_of(request, "r");
  if (const auto at = number_of(request, "at")) {
    share.at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(Seconds(*at)));
  }
  return share;
}

}  // namespace

HttpApi::HttpApi(RunControl& control, std::string config_json, stats::MetricsInfo info,
                 stats::AgentIdentity identity)
    : control_(control),
      config_json_(std::move(config_json)),
      info_(std::move(info)),
      identity_(std::move(identity)) {
  // Before the first interval: the record of an empty run at its start.
  const stats::Snapshot start{stats::Recorder{}, control_.context().started, {}};
  const stats::IntervalRecord record = stats::interval_record(control_.context(), start, start);
  status_json_ = stats::format_interval_json(record);
  live_json_ = stats::format_live_json(control_.context(), start, record);
}

void HttpApi::reconfigure(std::string config_json, stats::MetricsInfo info,
                          stats::AgentIdentity identity) {
  config_json_ = std::move(config_json);
  info_ = std::move(info);
  identity_ = std::move(identity);
}

HttpResponse HttpApi::handle(const HttpRequest& request) {
  if (request.method == "GET" || request.method == "HEAD") return get(request);
  return wrong_method("GET, POST");
}

asio::awaitable<HttpResponse> HttpApi::answer(HttpRequest request) {
  if (request.method == "POST") co_return co_await post(request);
  co_return handle(request);
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
  if (path == "/api/snapshot") return snapshot();
  // A fleet's agents (swarm control); a single swarm has none: [].
  if (path == "/api/agents")
    return HttpResponse::json(200, stats::format_agents_json(control_.agents()));
  if (path.starts_with("/api/")) {
    const bool command = path == "/api/incr" || path == "/api/decr" || path == "/api/stop" ||
                         path == "/api/rate" || path == "/api/target" || path == "/api/rebalance";
    return command ? wrong_method("POST") : not_found(request);
  }
  return not_found(request);
}

asio::awaitable<HttpResponse> HttpApi::post(const HttpRequest& request) {
  const std::string& path = request.path;
  if (path == "/api/incr") co_return co_await command(request, "incr");
  if (path == "/api/decr") co_return co_await command(request, "decr");
  if (path == "/api/stop") co_return co_await command(request, "stop");
  // POST /api/rate?r=R (or off): the controller's set_rate, as the console's
  // `rate R` calls it.
  if (path == "/api/rate") co_return co_await command(request, "rate");
  if (path == "/api/rebalance") co_return co_await command(request, "rebalance");
  // A fleet controller's share for this agent: absolute, maybe timed.
  if (path == "/api/target") co_return co_await share(request);
  const bool known = path == "/" || path == "/metrics" || path.starts_with("/api/");
  co_return known ? wrong_method("GET") : not_found(request);
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

const stats::Snapshot& HttpApi::recent_snapshot() {
  const auto now = std::chrono::steady_clock::now();
  if (!control_.stopping() && (!have_recent_ || now - recent_.taken >= kMetricsMaxAge)) {
    recent_ = control_.snapshot_now();
    have_recent_ = true;
  }
  return recent_;
}

HttpResponse HttpApi::metrics(const HttpRequest& request) {
  const stats::Snapshot& now = recent_snapshot();
  const auto format = stats::metrics_format_for(request.header("accept").value_or(""));
  HttpResponse response;
  response.content_type = std::string(stats::metrics_content_type(format));
  response.body = stats::format_metrics(control_.context(), now.totals, info_, format);
  return response;
}

HttpResponse HttpApi::snapshot() {
  const stats::Snapshot& now = recent_snapshot();
  const stats::ReportContext& context = control_.context();
  stats::RunSnapshot out;
  out.agent = identity_;
  // The wall clock of the moment the snapshot was taken (steady time
  // between then and now taken off).
  const auto age = std::chrono::steady_clock::now() - now.taken;
  out.taken_unix = Seconds((std::chrono::system_clock::now() - age).time_since_epoch()).count();
  out.elapsed_s = Seconds(now.taken - context.started).count();
  out.interval_s = Seconds(control_.interval()).count();
  out.target = static_cast<std::int64_t>(control_.target());
  out.rate = control_.rate();
  out.stopping = control_.stopping();
  out.action_names = context.action_names;
  out.totals = now.totals;
  out.silent_workers = now.silent.size();
  return HttpResponse::json(200, stats::format_snapshot_json(out));
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
                         live_json_, Seconds(control_.interval()).count()));
}

asio::awaitable<HttpResponse> HttpApi::command(const HttpRequest& request, std::string_view name) {
  std::string line(name);
  if (name != "stop" && name != "rebalance") {
    try {
      line += " " + command_argument(request, name == "rate" ? "r" : "n");
    } catch (const std::invalid_argument& error) {
      co_return HttpResponse::json_error(400, error.what());
    }
  }
  // The console's own grammar: the same limits and the same words.
  const auto parsed = console::parse_console_command(line);
  if (const auto* error = std::get_if<console::ConsoleParseError>(&parsed)) {
    co_return HttpResponse::json_error(400, error->message);
  }
  const auto& command = std::get<console::ConsoleCommand>(parsed);
  const std::string reply = co_await control_.answer(command);
  co_return command_reply(name, command.count, reply, control_.target());
}

asio::awaitable<HttpResponse> HttpApi::share(const HttpRequest& request) {
  ShareRequest share;
  try {
    share = share_of(request);
  } catch (const std::invalid_argument& error) {
    co_return HttpResponse::json_error(400, error.what());
  }
  if (!share.target && !share.rate) {
    co_return HttpResponse::json_error(400, "give n (connections to hold) or r (calls/s, or off)");
  }
  const std::string reply = co_await control_.apply_share(share);
  HttpResponse response = command_reply("target", 0, reply, control_.target());
  co_return response;
}

void HttpApi::on_interval(const stats::Snapshot& now, const stats::IntervalRecord& record) {
  status_json_ = stats::format_interval_json(record);
  live_json_ = stats::format_live_json(control_.context(), now, record);
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
