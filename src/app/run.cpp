#include "app/run.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>

#include "app/controller.hpp"
#include "app/http_api.hpp"
#include "app/load_watchdog.hpp"
#include "app/notices.hpp"
#include "app/progress_line.hpp"
#include "app/run_doors.hpp"
#include "app/run_identity.hpp"
#include "app/run_outputs.hpp"
#include "app/threshold_watch.hpp"
#include "console/access_token.hpp"
#include "console/console_log.hpp"
#include "console/console_server.hpp"
#include "engine/address.hpp"
#include "engine/capacity.hpp"
#include "engine/engine.hpp"
#include "engine/tls_context.hpp"
#include "plan/plan_loader.hpp"
#include "protocol/module_loader.hpp"
#include "web/http_server.hpp"

namespace swarm::app {
namespace {

/// The plan, loaded and checked against its module, and the run's thresholds.
struct LoadedPlan {
  plan::Plan plan;                           // the validated plan
  std::unique_ptr<protocol::Module> module;  // the plan's protocol module
  std::vector<SourcedThreshold> thresholds;  // the plan's, then --threshold's
};

LoadedPlan load(const Options& options) {
  LoadedPlan loaded;
  {
    const LoadWatchdog watchdog(options.script, std::chrono::seconds(10));
    loaded.plan = plan::load_plan(options.script);
  }
  protocol::LuaLimits limits;
  limits.memory_bytes = options.lua_memory_limit;
  limits.call_time = options.lua_call_limit;
  std::string notice;
  try {
    loaded.module = protocol::load_module(options.protocol_dir, loaded.plan.protocol,
                                          protocol::builtin_protocols(), limits, &notice);
  } catch (const std::exception& error) {
    const plan::SourceLocation& where = loaded.plan.protocol_where;
    throw SetupError(fmt::format("{}:{}:{}: protocol '{}': {}", options.script, where.line,
                                 where.column, loaded.plan.protocol, error.what()));
  }
  if (!notice.empty()) std::printf("swarm: %s\n", notice.c_str());
  const protocol::Module& module = *loaded.module;
  plan::validate_plan(
      loaded.plan, [&](const plan::Action& action) { return module.check(action); },
      [&](const plan::Value& settings) { return module.check_on_connect(settings); });
  try {
    loaded.thresholds = collect_thresholds(loaded.plan, options.thresholds);
    prepare_outputs(output_files(options));
  } catch (const std::exception& error) {
    throw SetupError(error.what());
  }
  return loaded;
}

/// Refuses --source addresses this host does not have: every connect from
/// them would fail (EADDRNOTAVAIL), and the run would loop with none open.
void check_sources(const std::vector<engine::SocketAddress>& sources) {
  std::size_t bad = 0;
  std::string first;
  for (const auto& source : sources) {
    const int error = engine::source_bind_error(source);
    if (error == 0) continue;
    if (bad++ == 0) {
      const std::string address = engine::to_string(source);
      first = fmt::format("{} ({})", address.substr(0, address.rfind(':')), std::strerror(error));
    }
  }
  if (bad == 0) return;
  const std::string more =
      bad > 1 ? fmt::format(", and {} more of the {}", bad - 1, sources.size()) : "";
  throw SetupError(
      fmt::format("--source: this host cannot send from {}{}: give addresses of "
                  "this host (see `ip -brief address`)",
                  first, more));
}

engine::TlsConfig tls_config(const Options& options) {
  engine::TlsConfig tls;
  tls.enabled = options.tls;
  tls.ca_file = options.tls_ca;
  tls.insecure = options.tls_insecure;
  tls.sni = options.tls_sni;
  tls.cert_file = options.tls_cert;
  tls.key_file = options.tls_key;
  tls.alpn = options.tls_alpn;
  if (options.tls_min_version == "1.2") tls.min_version = TLS1_2_VERSION;
  if (options.tls_min_version == "1.3") tls.min_version = TLS1_3_VERSION;
  tls.resume = options.tls_resume;
  return tls;
}

engine::EngineConfig engine_config(const Options& options) {
  engine::EngineConfig config;
  if (!options.sources.empty()) {
    try {
      config.sources = engine::parse_sources(options.sources);
    } catch (const std::exception& error) {
      throw SetupError(fmt::format("--source: {}", error.what()));
    }
    check_sources(config.sources);
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
  config.timeout = options.timeout;  // 0: none (the engine arms no timer)
  config.connect_timeout = options.connect_timeout;
  config.sndbuf = options.sndbuf;
  config.tls = tls_config(options);
  config.seed =
      options.seed != 0
          ? options.seed
          : static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return config;
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

stats::ReportContext report_context(const plan::Plan& plan, const protocol::Module& module,
                                    const engine::TlsConfig& tls) {
  stats::ReportContext context;
  context.tls = tls.enabled;
  context.action_names = protocol::report_rows(module, plan);
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

/// What TLS does in this run; without verification, loudly, on both streams.
void announce_tls(const engine::TlsConfig& tls) {
  std::printf("swarm: %s\n", engine::TlsContext::describe(tls).c_str());
  if (!tls.insecure) return;
  const char* warning =
      "swarm: WARNING: --tls-insecure: server certificates are NOT verified; anyone on the "
      "path can pose as the server. Use --tls-ca FILE to trust a private CA instead.\n";
  std::printf("%s", warning);
  std::fprintf(stderr, "%s", warning);
}

void announce(const Options& options, const engine::EngineConfig& config, const LoadedPlan& loaded,
              const console::ConsoleServer& console, const HttpEndpoint* http, bool token) {
  std::printf("swarm: %zu worker thread(s), plan %s (protocol %s, %zu action(s)), server %s\n",
              config.threads, options.script.c_str(), loaded.plan.protocol.c_str(),
              loaded.plan.actions.size(), describe_servers(config.servers).c_str());
  if (config.tls.enabled) announce_tls(config.tls);
  std::printf(
      "swarm: console on %s (telnet or nc; %stry `incr 100`, `stat`, `rate 1000`, `stop`)\n",
      console::to_string(console.local_endpoint()).c_str(),
      token ? "`auth TOKEN` first, then " : "");
  if (http != nullptr) {
    std::printf(
        "swarm: dashboard on http://%s/ (metrics /metrics, API /api/status)%s\n",
        console::to_string(http->server.local_endpoint()).c_str(),
        token ? " (with the token: Authorization: Bearer TOKEN, or /?token=TOKEN once)" : "");
  }
  if (config.rate > 0) {
    std::printf("swarm: %s\n", describe_rate(config.rate, options.connections).c_str());
  }
  std::fflush(stdout);
}

int run_loaded(const Options& options, LoadedPlan& loaded) {
  // Checked before anything starts: a console open to strangers is refused.
  console::ConsoleServerOptions console_settings =
      console_options({options.listen, options.max_sessions, options.console_token_file,
                       options.console_idle_timeout, options.console_log});
  const std::optional<console::AccessToken> secret = console_settings.token;  // --http's too
  const bool token = secret.has_value();
  engine::EngineConfig config = engine_config(options);
  config.max_reply = options.max_reply.value_or(loaded.module->default_max_reply());
  config.rcvbuf = options.rcvbuf.value_or(loaded.module->default_rcvbuf());
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
  effective.rcvbuf = config.rcvbuf;
  stats::RunConfig run_record = run_config(effective, loaded.plan, config.seed);
  stats::ReportContext context = report_context(loaded.plan, *loaded.module, config.tls);
  context.rate.set(context.started, config.rate);
  ThresholdWatch thresholds(std::move(loaded.thresholds),
                            threshold_names(loaded.plan, context.action_names), context.started);
  Controller controller(io, engine, context, {options.interval, options.duration, capacity, true},
                        std::move(thresholds), stdout);
  console::ConsoleServer console(io, listen_endpoint("--listen", options.listen), controller,
                                 std::move(console_settings));
  // Bound before any connection opens: a port in use stops the run here.
  const auto http =
      open_http(io, options.http, controller, run_record, secret, run_identity(run_record));
  controller.set_html_writer([&run_record, &controller](const std::string& path) {
    return write_html_now(run_record, controller, path);
  });
  console.start();
  if (http) http->server.start();
  announce(options, config, loaded, console, http ? &*http : nullptr, token);
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
  // A worker left behind stuck in module code does not fail the run: it
  // ended as asked, and the report names the worker.
  const int status = controller.result().thresholds_failed ? 99 : 0;
  const bool written =
      write_outputs(output_files(options), std::move(run_record), controller, status);
  const int exit_status = status == 0 && !written ? 1 : status;
  if (!controller.clean()) {
    // That worker still runs module code, on this plan and module: end the
    // process here, before anything it uses is destroyed.
    std::fflush(stdout);
    std::fflush(stderr);
    std::_Exit(exit_status);
  }
  return exit_status;
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
