#include "control/control_run.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "app/run_doors.hpp"
#include "app/run_identity.hpp"
#include "app/run_outputs.hpp"
#include "control/fleet_controller.hpp"
#include "plan/duration.hpp"

namespace swarm::control {
namespace {

using stats::FlagValue;

std::vector<std::pair<std::string, FlagValue>> flags_of(const ControlOptions& o) {
  auto duration = [](std::chrono::nanoseconds d) { return FlagValue{plan::format_duration(d)}; };
  auto text_or_null = [](const std::string& s) { return s.empty() ? FlagValue{} : FlagValue{s}; };
  return {
      {"agents", o.agents},
      {"expect-agents", static_cast<std::int64_t>(o.expect_agents)},
      {"expect-timeout", duration(o.expect_timeout)},
      {"agent-timeout", duration(o.agent_timeout)},
      {"start-delay", duration(o.start_delay)},
      {"keep-agents", o.keep_agents},
      {"agent-token-file", text_or_null(o.agent_token_file)},  // the path, never the token
      {"connections", static_cast<std::int64_t>(o.connections)},
      {"rate", o.rate ? FlagValue{*o.rate} : FlagValue{}},
      {"duration", o.duration ? duration(*o.duration) : FlagValue{}},
      {"interval", duration(o.interval)},
      {"listen", o.listen},
      {"max-sessions", static_cast<std::int64_t>(o.max_sessions)},
      {"console-token-file", text_or_null(o.console_token_file)},
      {"console-idle-timeout", duration(o.console_idle_timeout)},
      {"console-log", text_or_null(o.console_log)},
      {"http", text_or_null(o.http)},
      {"report", text_or_null(o.report)},
      {"html", text_or_null(o.html)},
      {"hdr-dir", text_or_null(o.hdr_dir)},
      {"threshold", o.thresholds},
  };
}

/// The agents waited for: --expect-agents, else the list's entries.
std::size_t expected_agents(const ControlOptions& options, const std::vector<AgentSource>& list) {
  return options.expect_agents > 0 ? options.expect_agents : list.size();
}

/// The agents' token: --agent-token-file, else the console's.
std::string agent_token(const ControlOptions& options,
                        const std::optional<console::AccessToken>& console_token) {
  if (!options.agent_token_file.empty()) {
    try {
      return console::AccessToken::load(options.agent_token_file, nullptr)->secret();
    } catch (const std::exception& error) {
      throw app::SetupError(fmt::format("--agent-token-file: {}", error.what()));
    }
  }
  return console_token ? console_token->secret() : std::string();
}

FleetSettings fleet_settings(const ControlOptions& options, std::string token) {
  FleetSettings settings;
  try {
    settings.sources = parse_agent_list(options.agents);
  } catch (const std::exception& error) {
    throw app::SetupError(error.what());
  }
  settings.expect = expected_agents(options, settings.sources);
  settings.expect_timeout = options.expect_timeout;
  settings.connections = options.connections;
  settings.rate = options.rate;
  settings.duration = options.duration;
  settings.interval = options.interval;
  settings.start_delay = options.start_delay;
  settings.keep_agents = options.keep_agents;
  settings.access.token = std::move(token);
  settings.access.timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.agent_timeout);
  settings.thresholds = options.thresholds;
  return settings;
}

/// The plan, module and digest of the fleet, from an agent's /api/config.
void take_plan(stats::RunConfig& config, const std::string& agent_config_json) {
  const auto agent = nlohmann::json::parse(agent_config_json);
  config.plan_path = agent.at("plan").at("path").get<std::string>();
  config.plan_text = agent.at("plan").at("text").get<std::string>();
  config.protocol = agent.at("module").at("name").get<std::string>();
  config.module_path = agent.at("module").at("path").get<std::string>();
  config.module_kind = agent.at("module").at("kind").get<std::string>();
  config.digest = agent.value("digest", std::string());
}

void announce(const ControlOptions& options, const FleetSettings& settings,
              const console::ConsoleServer& console, const app::HttpEndpoint* http, bool token) {
  std::string sources;
  for (const auto& source : settings.sources)
    sources += (sources.empty() ? "" : ", ") + source.text();
  std::printf("swarm control: agents %s; waiting for %zu, then %llu connections in all\n",
              sources.c_str(), settings.expect,
              static_cast<unsigned long long>(options.connections));
  std::printf(
      "swarm control: console on %s (%stry `incr 100`, `stat`, `rate 1000`, "
      "`rebalance`, `stop`)\n",
      console::to_string(console.local_endpoint()).c_str(),
      token ? "`auth TOKEN` first, then " : "");
  if (http != nullptr) {
    std::printf("swarm control: dashboard on http://%s/ (metrics /metrics, API /api/status)\n",
                console::to_string(http->server.local_endpoint()).c_str());
  }
  std::fflush(stdout);
}

/// What the fleet's run records (and --http serves as /api/config): the
/// controller's flags and host now, the plan and module once an agent tells.
stats::RunConfig fleet_config(const ControlOptions& options) {
  stats::RunConfig config;
  config.argv = options.argv;
  config.flags = flags_of(options);
  app::describe_host(config);
  return config;
}

/// Once the agents are checked: the plan, module and digest into the
/// report's configuration and into what --http serves.
void on_gathered(const std::string& agent_config, stats::RunConfig& config,
                 stats::AgentIdentity& identity, app::HttpEndpoint* http) {
  take_plan(config, agent_config);
  identity.digest = config.digest;
  if (http == nullptr) return;
  const double started =
      std::chrono::duration<double>(config.started_at.time_since_epoch()).count();
  http->api.reconfigure(stats::format_config_json(config),
                        {app::swarm_version(), config.protocol, started}, identity);
}

int run_fleet(const ControlOptions& options) {
  const app::OutputFiles files{options.report, options.html, options.hdr_dir};
  try {
    app::prepare_outputs(files);
  } catch (const std::exception& error) {
    throw app::SetupError(error.what());
  }
  console::ConsoleServerOptions console_settings =
      app::console_options({options.listen, options.max_sessions, options.console_token_file,
                            options.console_idle_timeout, options.console_log});
  const std::optional<console::AccessToken> secret = console_settings.token;
  const FleetSettings settings = fleet_settings(options, agent_token(options, secret));
  stats::RunConfig config = fleet_config(options);
  asio::io_context io(1);
  FleetController fleet(io, settings, stdout);
  console::ConsoleServer console(io, app::listen_endpoint("--listen", options.listen), fleet,
                                 std::move(console_settings));
  stats::AgentIdentity identity = app::run_identity(config);
  const auto http = app::open_http(io, options.http, fleet, config, secret, identity);
  fleet.set_html_writer([&config, &fleet](const std::string& path) {
    return app::write_html_now(config, fleet, path);
  });
  console.start();
  if (http) http->server.start();
  announce(options, settings, console, http.get(), secret.has_value());
  fleet.start(&console, [&](const std::string& agent_config) {
    on_gathered(agent_config, config, identity, http.get());
  });
  io.run();
  if (fleet.setup_failure()) {
    std::fprintf(stderr, "swarm control: %s\n", fleet.setup_failure()->c_str());
    return 2;
  }
  if (!fleet.started()) {
    std::printf("swarm control: stopped before the agents started: nothing to report\n");
    return 0;
  }
  const int status = fleet.result().thresholds_failed ? 99 : 0;
  const bool written = app::write_outputs(files, std::move(config), fleet, status);
  return status == 0 && !written ? 1 : status;
}

}  // namespace

int run_control(const ControlOptions& options) {
  try {
    return run_fleet(options);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "swarm control: %s\n", error.what());
  }
  return 2;
}

}  // namespace swarm::control
