#include "control/control_options.hpp"

#include <CLI/CLI.hpp>

#include "app/flag_checks.hpp"
#include "app/options.hpp"
#include "plan/duration.hpp"
#include "plan/rate.hpp"

namespace swarm::control {
namespace {

CLI::Option* add_duration(CLI::App& cli, const std::string& flags, std::chrono::nanoseconds& target,
                          const std::string& help) {
  return cli
      .add_option_function<std::string>(
          flags, [&target](const std::string& text) { target = *plan::parse_duration(text); }, help)
      ->check(app::duration())
      ->type_name("DURATION");
}

void add_fleet_flags(CLI::App& cli, ControlOptions& o) {
  cli.add_option("--agents", o.agents,
                 "The agents (swarm processes with --http): host:port,host:port,... or "
                 "dns:NAME:PORT (every address of NAME, e.g. a Kubernetes headless Service, "
                 "resolved again every interval)")
      ->required()
      ->type_name("LIST");
  cli.add_option("--expect-agents", o.expect_agents,
                 "Hold the start (--connections, rate) until this many agents answer "
                 "(default: one per --agents entry)")
      ->check(app::whole_number(1, 100000))
      ->type_name("K");
  add_duration(cli, "--expect-timeout", o.expect_timeout,
               "Give up (exit 2) when the expected agents have not answered by then (default "
               "10m; 0 = wait forever)");
  add_duration(cli, "--agent-timeout", o.agent_timeout,
               "Longest wait for one agent's answer (default 5s, at most the interval)");
  add_duration(cli, "--start-delay", o.start_delay,
               "The start instant sent to every agent is this far ahead (default 1s)");
  cli.add_flag("--keep-agents", o.keep_agents,
               "At the end, leave the agents running with no connections (default: stop them)");
  cli.add_option("--agent-token-file", o.agent_token_file,
                 "File holding the agents' token, sent as Authorization: Bearer (default: the "
                 "console's, --console-token-file or SWARM_CONSOLE_TOKEN)")
      ->check(CLI::ExistingFile);
}

void add_load_flags(CLI::App& cli, ControlOptions& o) {
  cli.add_option("--connections", o.connections,
                 "Connections for the whole fleet, split over the agents and opened by all at "
                 "one instant")
      ->check(app::whole_number(0, app::kMaxConnectionsAtOnce * 100));
  cli.add_option_function<double>(
         "--rate", [&o](double rate) { o.rate = rate; },
         "Rate mode for the whole fleet: command calls per second, split over the agents "
         "(default: the plan's rate:, for the fleet; 0 = off)")
      ->type_name("R")
      ->check(CLI::Validator(
          [](const std::string& text) {
            try {
              return plan::rate_problem(std::stod(text)).value_or(std::string());
            } catch (const std::exception&) {
              return std::string("expected calls per second, e.g. 1000");
            }
          },
          ""));
  add_duration(cli, "--interval", o.interval,
               "Status period, and how often the agents are asked (default 5s)")
      ->check(CLI::Validator(
          [](const std::string& text) {
            const auto d = plan::parse_duration(text);
            return d && *d >= std::chrono::milliseconds(100) ? std::string() : "at least 100ms";
          },
          "DURATION"));
}

void add_output_flags(CLI::App& cli, ControlOptions& o) {
  cli.add_option("--report", o.report, "Write the fleet's JSON report here at the end")
      ->type_name("FILE.json");
  cli.add_option("--html", o.html, "Write the fleet's self-contained HTML report here at the end")
      ->type_name("FILE.html");
  cli.add_option("--hdr-dir", o.hdr_dir, "Write each command's merged latency as .hgrm here")
      ->type_name("DIR");
  cli.add_option("--threshold", o.thresholds,
                 "Pass/fail criterion on the fleet's merged counts, as for one swarm "
                 "('p99(get) < 5ms'); exit status 99 if any fails")
      ->type_name("EXPR")
      ->allow_extra_args(false);
  cli.add_option("--http", o.http,
                 "Serve the fleet's dashboard, /metrics and JSON API on host:port (loopback "
                 "unless a token is given)")
      ->type_name("ADDR");
}

void add_console_flags(CLI::App& cli, ControlOptions& o) {
  cli.add_option("-l,--listen", o.listen, "Console address (host:port); beyond loopback a token")
      ->capture_default_str();
  cli.add_option("--max-sessions", o.max_sessions, "Console sessions at once")
      ->capture_default_str()
      ->check(app::whole_number(1, 1000));
  cli.add_option("--console-token-file", o.console_token_file,
                 "File holding the console's token (or set SWARM_CONSOLE_TOKEN)")
      ->check(CLI::ExistingFile);
  add_duration(cli, "--console-idle-timeout", o.console_idle_timeout,
               "Close a console session idle this long (default 5m; 0 = never)");
  cli.add_option("--console-log", o.console_log, "Append every console command here");
}

}  // namespace

ParsedControlOptions parse_control_options(int argc, char** argv) {
  ControlOptions o;
  CLI::App cli{
      "swarm control: one console, one status and one report for many swarm agents (each a "
      "swarm with --http). Splits --connections, incr, decr and rate over them exactly, merges "
      "their counts (histograms bucket by bucket) every interval, follows agents that come and "
      "go.",
      "swarm control"};
  cli.get_formatter()->column_width(34);
  cli.failure_message([](const CLI::App*, const CLI::Error& error) {
    return "swarm control: " + std::string(error.what()) +
           "\nRun with --help for more information.\n";
  });
  add_fleet_flags(cli, o);
  add_load_flags(cli, o);
  std::chrono::nanoseconds duration{};
  auto* duration_flag = add_duration(cli, "--duration", duration,
                                     "Stop the fleet after this long (0 = until stopped)");
  add_output_flags(cli, o);
  add_console_flags(cli, o);
  try {
    cli.parse(argc - 1, argv + 1);  // from "control" on
  } catch (const CLI::ParseError& error) {
    const int code = cli.exit(error);
    return {std::nullopt, code == 0 ? 0 : 2};
  }
  if (duration_flag->count() > 0 && duration > std::chrono::nanoseconds::zero()) {
    o.duration = duration;
  }
  o.agent_timeout = std::min(o.agent_timeout, o.interval);
  o.argv.assign(argv, argv + argc);
  return {o, 0};
}

}  // namespace swarm::control
