#include "app/run.hpp"

#include <fmt/format.h>

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>

#include "app/controller.hpp"
#include "app/notices.hpp"
#include "app/run_outputs.hpp"
#include "app/threshold_watch.hpp"
#include "app/load_watchdog.hpp"
#include "console/console_log.hpp"
#include "console/console_server.hpp"
#include "engine/address.hpp"
#include "engine/capacity.hpp"
#include "engine/engine.hpp"
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
  {
    const LoadWatchdog watchdog(options.script, std::chrono::seconds(10));
    loaded.plan = plan::load_plan(options.script);
  }
  protocol::LuaLimits limits;
  limits.memory_bytes = options.lua_memory_limit;
  limits.call_time = options.lua_call_limit;
  try {
    loaded.module = protocol::load_module(options.protocol_dir, loaded.plan.protocol,
                                          protocol::builtin_protocols(), limits);
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

/// A timeout flag's value for the engine: 0 means none.
std::chrono::nanoseconds timeout_or_none(std::chrono::nanoseconds timeout) {
  return timeout == std::chrono::nanoseconds::zero() ? engine::kNoTimeout : timeout;
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
  config.timeout = timeout_or_none(options.timeout);
  config.connect_timeout = timeout_or_none(options.connect_timeout);
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

/// Who may use the console. Beyond loopback a token is required: anyone who
/// reaches the port could otherwise point the whole load wherever they like.
console::ConsoleServerOptions console_options(const Options& options) {
  console::ConsoleServerOptions settings;
  settings.max_sessions = options.max_sessions;
  settings.idle_timeout = options.console_idle_timeout;
  try {
    settings.token =
        console::AccessToken::load(options.console_token_file, std::getenv("SWARM_CONSOLE_TOKEN"));
    if (!options.console_log.empty()) {
      settings.log = std::make_shared<console::ConsoleLog>(options.console_log);
    }
  } catch (const std::exception& error) {
    throw SetupError(error.what());
  }
  const asio::ip::tcp::endpoint endpoint = console_endpoint(options.listen);
  if (!settings.token && !endpoint.address().is_loopback()) {
    throw SetupError(fmt::format(
        "--listen {}: the console would be reachable from other hosts, and anyone reaching it "
        "could steer the load; give it a token (--console-token-file FILE or "
        "SWARM_CONSOLE_TOKEN), or listen on loopback (127.0.0.1:PORT)",
        options.listen));
  }
  return settings;
}

stats::ReportContext report_context(const plan::Plan& plan) {
  stats::ReportContext context;
  for (const auto& action : plan.actions) context.action_names.push_back(action.command);
  context.started = std::chrono::steady_clock::now();
  return context;
}

void announce(const Options& options, const engine::EngineConfig& config, const LoadedPlan& loaded,
              const console::ConsoleServer& console, bool token) {
  std::printf("swarm: %zu worker thread(s), plan %s (protocol %s, %zu action(s)), server %s\n",
              config.threads, options.script.c_str(), loaded.plan.protocol.c_str(),
              loaded.plan.actions.size(), describe_servers(config.servers).c_str());
  std::printf("swarm: console on %s (telnet or nc; %stry `incr 100`, `stat`, `stop`)\n",
              console::to_string(console.local_endpoint()).c_str(),
              token ? "`auth TOKEN` first, then " : "");
  std::fflush(stdout);
}

int run_loaded(const Options& options, LoadedPlan& loaded) {
  // Checked before anything starts: a console open to strangers is refused.
  console::ConsoleServerOptions console_settings = console_options(options);
  const bool token = console_settings.token.has_value();
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
  stats::ReportContext context = report_context(loaded.plan);
  ThresholdWatch thresholds(std::move(loaded.thresholds), context.action_names, context.started);
  Controller controller(io, engine, context,
                        {options.interval, options.duration, capacity, !options.report.empty()},
                        std::move(thresholds), stdout);
  console::ConsoleServer console(io, console_endpoint(options.listen), controller,
                                 std::move(console_settings));
  console.start();
  announce(options, config, loaded, console, token);
  engine.start();
  controller.start(&console);
  if (options.connections > 0) controller.open(options.connections);
  io.run();
  // A worker left behind stuck in module code does not fail the run: it
  // ended as asked, and the report names the worker.
  const int status = controller.result().thresholds_failed ? 99 : 0;
  const bool written = write_outputs(options, std::move(run_record), controller, status);
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
