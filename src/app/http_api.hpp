// HttpApi: what --http serves. The dashboard (GET /, its files), Prometheus
// metrics (GET /metrics), the status as JSON (GET /api/status: the latest
// interval record, the same shape as the JSON report's), the run's history
// and configuration, a stream of server-sent events (one per interval), and
// the console's commands (POST /api/incr, /api/decr, /api/stop) with the
// console's limits and answers.
//
// The control thread builds the feed once per interval (on_interval), and
// every viewer gets the same bytes: viewers cost the workers nothing.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "app/controller.hpp"
#include "stats/metrics_text.hpp"
#include "web/http_handler.hpp"
#include "web/http_server.hpp"

namespace swarm::app {

class HttpApi final : public web::HttpHandler, public RunObserver {
 public:
  /// `config_json`: the run's configuration as the report writes it.
  HttpApi(Controller& controller, std::string config_json, stats::MetricsInfo info);

  /// The server that streams the events (set once it exists).
  void attach(web::HttpServer* server) noexcept { server_ = server; }

  // HttpHandler
  web::HttpResponse handle(const web::HttpRequest& request) override;
  // RunObserver
  void on_interval(const stats::Snapshot& now, const stats::IntervalRecord& record) override;
  void on_stopping(const std::string& why) override;

 private:
  web::HttpResponse get(const web::HttpRequest& request);
  web::HttpResponse post(const web::HttpRequest& request);
  web::HttpResponse dashboard(const web::HttpRequest& request) const;
  web::HttpResponse metrics(const web::HttpRequest& request);
  web::HttpResponse events() const;
  web::HttpResponse command(const web::HttpRequest& request, std::string_view name);
  std::string history_event() const;

  Controller& controller_;              // runs the commands, takes snapshots
  std::string config_json_;             // GET /api/config
  stats::MetricsInfo info_;             // swarm_build_info and the start time
  web::HttpServer* server_ = nullptr;   // streams the events
  std::string status_json_;             // GET /api/status: the latest interval record
  std::string live_json_;               // the latest interval's event data
  std::string intervals_json_;          // every interval record so far, comma-separated
  std::string stop_reason_;             // set once the run is stopping
  stats::Snapshot metrics_snapshot_;    // what /metrics last showed
  bool have_metrics_snapshot_ = false;  // metrics_snapshot_ is set
};

}  // namespace swarm::app
