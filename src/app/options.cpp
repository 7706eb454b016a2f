#include "app/options.hpp"

#include <CLI/CLI.hpp>
#include <thread>

#include "plan/duration.hpp"

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

/// --tls and the flags that shape it; each of those needs --tls.
void add_tls_options(CLI::App& cli, Options& o) {
  auto* tls = cli.add_flag("--tls", o.tls, "TLS on every connection, whatever the protocol module")
                  ->group("TLS");
  auto needs_tls = [tls](CLI::Option* option) { return option->needs(tls)->group("TLS"); };
  auto* insecure = needs_tls(
      cli.add_flag("--tls-insecure", o.tls_insecure,
                   "Do not verify the server's certificate (anyone could pose as the server)"));
  needs_tls(cli.add_option("--tls-ca", o.tls_ca,
                           "Trusted CAs: a PEM file or a hashed directory (default: system store)"))
      ->check(CLI::ExistingPath)
      ->excludes(insecure);
  needs_tls(cli.add_option_function<std::string>(
      "--tls-sni", [&o](const std::string& name) { o.tls_sni = name; },
      "Server name sent and verified (default: each server's host name; none for an IP; "
      "\"\" for none)"));
  auto* cert = needs_tls(cli.add_option("--tls-cert", o.tls_cert,
                                        "Client certificate chain (PEM), for servers "
                                        "that ask for one")
                             ->check(CLI::ExistingFile));
  needs_tls(cli.add_option("--tls-key", o.tls_key,
                           "Private key of --tls-cert (PEM, unencrypted; default: in --tls-cert)")
                ->check(CLI::ExistingFile))
      ->needs(cert);
  needs_tls(
      cli.add_option("--tls-alpn", o.tls_alpn, "Protocols offered by ALPN, in order: h2,http/1.1")
          ->delimiter(',')
          ->type_name("LIST"));
  needs_tls(cli.add_option("--tls-min-version", o.tls_min_version, "Lowest TLS version: 1.2 or 1.3")
                ->check(CLI::IsMember({"1.2", "1.3"})));
  needs_tls(cli.add_flag("--tls-resume", o.tls_resume,
                         "Resume the last session on reconnect (tickets): no full handshake"));
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
  add_tls_options(cli, o);
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
