// HttpApi: what --http serves. The dashboard (GET /, its files), Prometheus
// metrics (GET /metrics), the status as JSON (GET /api/status: the latest
// interval record, the same shape as the JSON report's), the run's history
// and configuration, a stream of server-sent events (one per interval), the
// console's commands (POST /api/incr, /api/decr, /api/rate, /api/stop)
// with the console's limits and answers, and what a fleet's controller asks
// of an agent: every count with its buckets (GET /api/snapshot) and an
// absolute share at a wall-clock time (POST /api/target).
//
// The control thread builds the feed once per interval (on_interval), and
// every viewer gets the same bytes: viewers cost the workers nothing.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "app/run_control.hpp"
#include "stats/metrics_text.hpp"
#include "stats/snapshot_json.hpp"
#include "web/http_handler.hpp"
#include "web/http_server.hpp"

namespace swarm::app {

class HttpApi final : public web::HttpHandler, public RunObserver {
 public:
  /// `config_json`: the run's configuration as the report writes it;
  /// `identity`: who this run is, for GET /api/snapshot.
  HttpApi(RunControl& control, std::string config_json, stats::MetricsInfo info,
          stats::AgentIdentity identity);

  /// What /api/config, /metrics' build info and /api/snapshot's identity
  /// say from now on (a fleet's controller learns its plan once its agents
  /// answer).
  void reconfigure(std::string config_json, stats::MetricsInfo info, stats::AgentIdentity identity);
  /// The server that streams the events (set once it exists).
  void attach(web::HttpServer* server) noexcept { server_ = server; }

  // HttpHandler
  web::HttpResponse handle(const web::HttpRequest& request) override;
  asio::awaitable<web::HttpResponse> answer(web::HttpRequest request) override;
  // RunObserver
  void on_interval(const stats::Snapshot& now, const stats::IntervalRecord& record) override;
  void on_stopping(const std::string& why) override;

 private:
  web::HttpResponse get(const web::HttpRequest& request);
  asio::awaitable<web::HttpResponse> post(const web::HttpRequest& request);
  web::HttpResponse dashboard(const web::HttpRequest& request) const;
  web::HttpResponse metrics(const web::HttpRequest& request);
  web::HttpResponse snapshot();
  web::HttpResponse events() const;
  asio::awaitable<web::HttpResponse> command(const web::HttpRequest& request,
                                             std::string_view name);
  asio::awaitable<web::HttpResponse> share(const web::HttpRequest& request);
  const stats::Snapshot& recent_snapshot();
  std::string history_event() const;

  RunControl& control_;                // runs the commands, takes snapshots
  std::string config_json_;            // GET /api/config
  stats::MetricsInfo info_;            // swarm_build_info and the start time
  stats::AgentIdentity identity_;      // who this run is (GET /api/snapshot)
  web::HttpServer* server_ = nullptr;  // streams the events
  std::string status_json_;            // GET /api/status: the latest interval record
  std::string live_json_;              // the latest interval's event data
  std::string intervals_json_;         // every interval record so far, comma-separated
  std::string stop_reason_;            // set once the run is stopping
  stats::Snapshot recent_;             // what /metrics and /api/snapshot last showed
  bool have_recent_ = false;           // recent_ is set
};

}  // namespace swarm::app
