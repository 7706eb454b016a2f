#include "app/run.hpp"

#include <fmt/format.h>

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>

#include "app/controller.hpp"
#include "app/http_api.hpp"
#include "app/notices.hpp"
#include "app/progress_line.hpp"
#include "app/run_outputs.hpp"
#include "app/threshold_watch.hpp"
#include "console/console_server.hpp"
#include "engine/address.hpp"
#include "engine/capacity.hpp"
#include "engine/engine.hpp"
#include "plan/plan_loader.hpp"
#include "protocol/module_loader.hpp"
#include "web/http_server.hpp"

namespace swarm::app {
namespace {

/// A problem found before any connection is opened: exit status 2.
struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The plan, loaded and checked against its module, and the run's thresholds.
struct LoadedPlan {
  plan::Plan plan;                           // the validated plan
  std::unique_ptr<protocol::Module> module;  // the plan's protocol module
  std::vector<SourcedThreshold> thresholds;  // the plan's, then --threshold's
};

LoadedPlan load(const Options& options) {
  LoadedPlan loaded;
  loaded.plan = plan::load_plan(options.script);
  try {
    loaded.module = protocol::load_module(options.protocol_dir, loaded.plan.protocol);
  } catch (const std::exception& error) {
    const plan::SourceLocation& where = loaded.plan.protocol_where;
    throw SetupError(fmt::format("{}:{}:{}: protocol '{}': {}", options.script, where.line,
                                 where.column, loaded.plan.protocol, error.what()));
  }
  plan::validate_plan(loaded.plan,
                      [&](const plan::Action& action) { return loaded.module->check(action); });
  try {
    loaded.thresholds = collect_thresholds(loaded.plan, options.thresholds);
    prepare_outputs(options);
  } catch (const std::exception& error) {
    throw SetupError(error.what());
  }
  return loaded;
}

engine::EngineConfig engine_config(const Options& options) {
  engine::EngineConfig config;
  if (!options.sources.empty()) {
    try {
      config.sources = engine::parse_sources(options.sources);
    } catch (const std::exception& error) {
      throw SetupError(fmt::format("--source: {}", error.what()));
    }
  }
  for (const auto& server : options.servers) {
    try {
      config.servers.push_back(engine::resolve_server(server, config.sources));
    } catch (const std::exception& error) {
      throw SetupError(fmt::format("--server: {}", error.what()));
    }
  }
  config.threads = options.threads;
  config.connect_rate = options.connect_rate;
  config.max_connecting = options.max_connecting;
  config.timeout = options.timeout;
  config.connect_timeout = options.connect_timeout;
  config.sndbuf = options.sndbuf;
  config.rcvbuf = options.rcvbuf;
  config.seed =
      options.seed != 0
          ? options.seed
          : static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return config;
}

asio::ip::tcp::endpoint console_endpoint(const std::string& listen) {
  try {
    auto [host, port] = engine::split_host_port(listen);
    return {asio::ip::make_address(host), port};
  } catch (const std::exception& error) {
    throw SetupError(fmt::format("--listen: {}", error.what()));
  }
}

asio::ip::tcp::endpoint http_endpoint(const std::string& http) {
  try {
    auto [host, port] = engine::split_host_port(http);
    return {asio::ip::make_address(host), port};
  } catch (const std::exception& error) {
    throw SetupError(fmt::format("--http: {}", error.what()));
  }
}

/// Who may use --http. Beyond loopback anyone who reaches the port could
/// steer the load, so a token is required there.
web::HttpAccess http_access(const std::string& flag, const asio::ip::tcp::endpoint& endpoint) {
  // TODO(hardening): take the console's token (--console-token-file,
  // SWARM_CONSOLE_TOKEN) and its throttle once they land, as a TokenCheck.
  std::optional<web::TokenCheck> token;
  if (!token && !endpoint.address().is_loopback()) {
    throw SetupError(fmt::format(
        "--http {}: beyond loopback anyone who reaches this port could steer the load; give "
        "a token (--console-token-file FILE or SWARM_CONSOLE_TOKEN) or serve on loopback "
        "(127.0.0.1:PORT)",
        flag));
  }
  return web::HttpAccess(std::move(token));
}

/// The HTTP endpoint of a run, when --http is given.
struct HttpEndpoint {
  HttpEndpoint(asio::io_context& io, const Options& options, Controller& controller,
               const stats::RunConfig& config, const std::string& protocol)
      : access(http_access(options.http, http_endpoint(options.http))),
        api(controller, stats::format_config_json(config),
            {swarm_version(), protocol,
             std::chrono::duration<double>(config.started_at.time_since_epoch()).count()}),
        server(io, http_endpoint(options.http), api, access) {
    api.attach(&server);
    controller.observe(&api);
  }

  web::HttpAccess access;  // who may use it
  HttpApi api;             // what it serves
  web::HttpServer server;  // the listening socket and its sessions
};

std::unique_ptr<HttpEndpoint> open_http(asio::io_context& io, const Options& options,
                                        Controller& controller, const stats::RunConfig& config,
                                        const std::string& protocol) {
  if (options.http.empty()) return nullptr;
  try {
    return std::make_unique<HttpEndpoint>(io, options, controller, config, protocol);
  } catch (const SetupError&) {
    throw;
  } catch (const std::exception& error) {
    throw SetupError(fmt::format("--http: {}", error.what()));
  }
}

/// "127.0.0.1:8080", or "localhost:8080 ([::1]:8080, 127.0.0.1:8080)" for a
/// name with several addresses (tried in that order).
std::string describe_servers(const std::vector<engine::ServerTarget>& servers) {
  std::string text;
  for (const auto& server : servers) {
    if (!text.empty()) text += ", ";
    text += server.name;
    if (server.literal && server.addresses.size() == 1) continue;
    text += " (";
    for (std::size_t i = 0; i < server.addresses.size(); ++i) {
      text += (i > 0 ? ", " : "") + engine::to_string(server.addresses[i]);
    }
    text += ")";
  }
  return text;
}

stats::ReportContext report_context(const plan::Plan& plan) {
  stats::ReportContext context;
  for (const auto& action : plan.actions) context.action_names.push_back(action.command);
  context.started = std::chrono::steady_clock::now();
  return context;
}

/// Rate mode from --rate, else the plan's `rate:`; said at the start.
double rate_of(const Options& options, const plan::Plan& plan) {
  if (!options.rate) return plan.rate;
  if (plan.rate > 0 && *options.rate != plan.rate) {
    std::printf("swarm: --rate %g overrides the plan's rate: %g (%s:%d:%d)\n", *options.rate,
                plan.rate, plan.path.c_str(), plan.rate_where.line, plan.rate_where.column);
  }
  return *options.rate;
}

int run_loaded(const Options& options, LoadedPlan& loaded) {
  engine::EngineConfig config = engine_config(options);
  config.max_reply = options.max_reply.value_or(loaded.module->default_max_reply());
  config.rate = rate_of(options, loaded.plan);
  engine::Capacity capacity = engine::probe_capacity(
      std::max<std::size_t>(1, config.sources.size()), config.servers.size());
  std::printf("swarm: %s\n", capacity.describe().c_str());
  config.max_sockets = static_cast<std::size_t>(capacity.by_files());
  asio::io_context io(1);
  Notices notices(io, stdout);
  config.on_notice = notices.sink();
  engine::Engine engine(config, loaded.plan, *loaded.module);
  Options effective = options;  // the report records what the run used
  effective.max_reply = config.max_reply;
  stats::RunConfig run_record = run_config(effective, loaded.plan, config.seed);
  stats::ReportContext context = report_context(loaded.plan);
  context.rate.set(context.started, config.rate);
  ThresholdWatch thresholds(std::move(loaded.thresholds), context.action_names, context.started);
  Controller controller(io, engine, context, {options.interval, options.duration, capacity, true},
                        std::move(thresholds), stdout);
  console::ConsoleServer console(io, console_endpoint(options.listen), controller,
                                 {.max_sessions = options.max_sessions});
  // Bound before any connection opens: a port in use stops the run here.
  const auto http = open_http(io, options, controller, run_record, loaded.plan.protocol);
  controller.set_html_writer([&run_record, &controller](const std::string& path) {
    return write_html_now(run_record, controller, path);
  });
  console.start();
  if (http) http->server.start();
  std::printf("swarm: %zu worker thread(s), plan %s (protocol %s, %zu action(s)), server %s\n",
              config.threads, options.script.c_str(), loaded.plan.protocol.c_str(),
              loaded.plan.actions.size(), describe_servers(config.servers).c_str());
  std::printf("swarm: console on %s (telnet or nc; try `incr 100`, `stat`, `rate 1000`, `stop`)\n",
              console::to_string(console.local_endpoint()).c_str());
  if (http) {
    std::printf("swarm: dashboard on http://%s/ (metrics /metrics, API /api/status)\n",
                console::to_string(http->server.local_endpoint()).c_str());
  }
  if (config.rate > 0) {
    std::printf("swarm: %s\n", describe_rate(config.rate, options.connections).c_str());
  }
  std::fflush(stdout);
  // On a terminal, the ramp's progress on the last line; a pipe or a file
  // gets the status blocks only.
  std::optional<ProgressLine> progress;
  if (ProgressLine::wanted(stdout)) {
    progress.emplace(io, controller, stdout);
    controller.set_terminal_line(&*progress);
    notices.set_terminal_line(&*progress);
  }
  engine.start();
  controller.start(&console);
  if (progress) progress->start();
  if (options.connections > 0) controller.open(options.connections);
  io.run();
  const int status = !controller.clean() ? 1 : controller.result().thresholds_failed ? 99 : 0;
  const bool written = write_outputs(options, std::move(run_record), controller, status);
  return status == 0 && !written ? 1 : status;
}

}  // namespace

int run(const Options& options) {
  try {
    LoadedPlan loaded = load(options);
    return run_loaded(options, loaded);
  } catch (const plan::PlanError& error) {
    std::fprintf(stderr, "swarm: %s\n", error.what());
  } catch (const SetupError& error) {
    std::fprintf(stderr, "swarm: %s\n", error.what());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "swarm: %s\n", error.what());
  }
  return 2;
}

}  // namespace swarm::app
