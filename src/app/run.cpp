#include "app/run.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>

#include "app/controller.hpp"
#include "app/notices.hpp"
#include "app/run_outputs.hpp"
#include "app/threshold_watch.hpp"
#include "console/console_server.hpp"
#include "engine/address.hpp"
#include "engine/capacity.hpp"
#include "engine/engine.hpp"
#include "engine/tls_context.hpp"
#include "plan/plan_loader.hpp"
#include "protocol/module_loader.hpp"

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
  config.tls = tls_config(options);
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

stats::ReportContext report_context(const plan::Plan& plan, const engine::TlsConfig& tls) {
  stats::ReportContext context;
  context.tls = tls.enabled;
  for (const auto& action : plan.actions) context.action_names.push_back(action.command);
  context.started = std::chrono::steady_clock::now();
  return context;
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

int run_loaded(const Options& options, LoadedPlan& loaded) {
  engine::EngineConfig config = engine_config(options);
  engine::Capacity capacity = engine::probe_capacity(
      std::max<std::size_t>(1, config.sources.size()), config.servers.size());
  std::printf("swarm: %s\n", capacity.describe().c_str());
  config.max_sockets = static_cast<std::size_t>(capacity.by_files());
  asio::io_context io(1);
  Notices notices(io, stdout);
  config.on_notice = notices.sink();
  engine::Engine engine(config, loaded.plan, *loaded.module);
  stats::RunConfig run_record = run_config(options, loaded.plan, config.seed);
  stats::ReportContext context = report_context(loaded.plan, config.tls);
  ThresholdWatch thresholds(std::move(loaded.thresholds), context.action_names, context.started);
  Controller controller(io, engine, context,
                        {options.interval, options.duration, capacity, !options.report.empty()},
                        std::move(thresholds), stdout);
  console::ConsoleServer console(io, console_endpoint(options.listen), controller,
                                 {.max_sessions = options.max_sessions});
  console.start();
  std::printf("swarm: %zu worker thread(s), plan %s (protocol %s, %zu action(s)), server %s\n",
              config.threads, options.script.c_str(), loaded.plan.protocol.c_str(),
              loaded.plan.actions.size(), describe_servers(config.servers).c_str());
  if (config.tls.enabled) announce_tls(config.tls);
  std::printf("swarm: console on %s (telnet or nc; try `incr 100`, `stat`, `stop`)\n",
              console::to_string(console.local_endpoint()).c_str());
  std::fflush(stdout);
  engine.start();
  controller.start(&console);
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
