#include "app/options.hpp"

#include <CLI/CLI.hpp>
#include <thread>

#include "plan/duration.hpp"
#include "swarm/version.hpp"

namespace swarm::app {
namespace {

/// A CLI11 validator that accepts `250ms`, `2s`, `1m`, `1.5`.
struct DurationValidator : CLI::Validator {
  DurationValidator() {
    name_ = "DURATION";
    func_ = [](const std::string& text) {
      return plan::parse_duration(text) ? std::string()
                                        : "expected a duration like 250ms, 2s, 1m or 1.5";
    };
  }
};

/// Adds a duration flag that writes into `target`.
CLI::Option* add_duration(CLI::App& cli, const std::string& flags, std::chrono::nanoseconds& target,
                          const std::string& help) {
  return cli
      .add_option_function<std::string>(
          flags, [&target](const std::string& text) { target = *plan::parse_duration(text); }, help)
      ->check(DurationValidator())
      ->type_name("DURATION");
}

}  // namespace

ParsedOptions parse_options(int argc, char** argv) {
  Options o;
  o.threads = std::max(1u, std::thread::hardware_concurrency());
  CLI::App cli{
      "swarm: opens many persistent TCP connections to a server and runs a YAML plan on each, "
      "through a Lua protocol module. Steer it live: telnet to --listen and type `incr 1000`, "
      "`decr 100`, `stat`, `stop`.",
      "swarm"};
  cli.get_formatter()->column_width(34);
  cli.set_version_flag("--version", "swarm " SWARM_VERSION, "Print swarm's version and exit");
  cli.failure_message([](const CLI::App*, const CLI::Error& error) {
    return "swarm: " + std::string(error.what()) + "\nRun with --help for more information.\n";
  });
  cli.add_option("-l,--listen", o.listen, "Console address (host:port or [v6]:port)")
      ->capture_default_str();
  cli.add_option("-r,--server", o.servers,
                 "Server under test, host:port or [v6]:port (repeat for several)")
      ->required();
  cli.add_option("-s,--script", o.script, "YAML plan (protocol + actions)")
      ->required()
      ->check(CLI::ExistingFile);
  cli.add_option("-p,--protocol-dir", o.protocol_dir, "Directory holding the plan's NAME.lua")
      ->required()
      ->check(CLI::ExistingDirectory);
  cli.add_option("--threads", o.threads, "Worker threads (default: cores)")
      ->check(CLI::Range(1, 1024));
  cli.add_option("--connections", o.connections, "Connections to open at start")
      ->capture_default_str();
  std::chrono::nanoseconds duration{};
  auto* duration_flag = add_duration(cli, "--duration", duration,
                                     "Stop after this long, print the final report, exit 0");
  add_duration(cli, "--interval", o.interval, "Status period (default 5s)");
  cli.add_option("--connect-rate", o.connect_rate,
                 "New connections per second, all workers together (0 = as fast as possible)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--max-connecting", o.max_connecting, "Connects in flight at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  add_duration(cli, "--timeout", o.timeout, "Reply timeout (default 10s)");
  add_duration(cli, "--connect-timeout", o.connect_timeout, "Connect timeout (default 10s)");
  cli.add_option("--sndbuf", o.sndbuf, "SO_SNDBUF bytes per connection (0 = kernel default)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--rcvbuf", o.rcvbuf, "SO_RCVBUF bytes per connection (0 = kernel default)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--source", o.sources,
                 "Local source addresses: a,b  127.0.0.1-127.0.0.50  127.0.0.0/26");
  cli.add_option("--max-sessions", o.max_sessions, "Console sessions at once")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.add_option("--seed", o.seed, "Random seed (0 = from the clock)");
  cli.add_option("--report", o.report,
                 "Write a JSON report here at the end (docs/report.schema.json)")
      ->type_name("FILE.json");
  cli.add_option("--hdr-dir", o.hdr_dir,
                 "Write each command's latency as an HdrHistogram .hgrm file in this directory")
      ->type_name("DIR");
  cli.add_option("--threshold", o.thresholds,
                 "Pass/fail criterion, repeatable: 'p99(get) < 5ms', 'errors(*) < 0.1%', "
                 "'rate(replies) > 20000', 'open >= 10000'; add '; abort' to stop the run when "
                 "it fails, '; warmup=10s' to judge only after 10s. Exit status 99 if any fails")
      ->type_name("EXPR")
      ->allow_extra_args(false);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = cli.exit(error);
    return {std::nullopt, code == 0 ? 0 : 2};  // 2: bad usage, as for a bad plan
  }
  if (duration_flag->count() > 0) o.duration = duration;
  o.argv.assign(argv, argv + argc);
  if (o.interval <= std::chrono::nanoseconds::zero()) o.interval = std::chrono::seconds(5);
  return {o, 0};
}

}  // namespace swarm::app
