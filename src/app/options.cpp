#include "app/options.hpp"

#include <CLI/CLI.hpp>
#include <limits>
#include <thread>

#include "app/flag_checks.hpp"
#include "plan/byte_size.hpp"
#include "plan/duration.hpp"
#include "plan/rate.hpp"
#include "protocol/builtin/registry.hpp"
#include "swarm/version.hpp"

namespace swarm::app {
namespace {

/// Adds a duration flag that writes into `target`; 0 is accepted (the
/// caller decides what it means: "none" for every flag here).
CLI::Option* add_duration(CLI::App& cli, const std::string& flags, std::chrono::nanoseconds& target,
                          const std::string& help) {
  return cli
      .add_option_function<std::string>(
          flags, [&target](const std::string& text) { target = *plan::parse_duration(text); }, help)
      ->check(duration())
      ->type_name("DURATION");
}

void add_target_flags(CLI::App& cli, Options& o) {
  cli.add_option("-l,--listen", o.listen,
                 "Console address (host:port or [v6]:port); beyond loopback it needs a token")
      ->capture_default_str();
  // --protocols answers at once, like --help: the run's required flags are
  // not needed for it.
  cli.add_flag_callback(
         "--protocols",
         [] {
           std::fputs(protocol::describe_protocols(protocol::builtin_protocols()).c_str(), stdout);
           throw CLI::Success();
         },
         "List the built-in protocols, their commands and args, and exit")
      ->trigger_on_parse();
  cli.add_option("-r,--server", o.servers,
                 "Server under test, host:port or [v6]:port (repeat for several)")
      ->required();
  cli.add_option("-s,--script", o.script, "YAML plan (protocol + actions)")
      ->required()
      ->check(CLI::ExistingFile);
  cli.add_option("-p,--protocol-dir", o.protocol_dir,
                 "Directory holding the plan's NAME.lua or NAME.so (not needed for a built-in "
                 "protocol)")
      ->check(CLI::ExistingDirectory);
  cli.add_option("--source", o.sources,
                 "Local source addresses: a,b  127.0.0.1-127.0.0.50  127.0.0.0/26");
}

void add_load_flags(CLI::App& cli, Options& o) {
  cli.add_option("--threads", o.threads, "Worker threads (default: cores)")
      ->check(whole_number(1, 1024));
  cli.add_option("--connections", o.connections, "Connections to open at start")
      ->capture_default_str()
      ->check(whole_number(0, kMaxConnectionsAtOnce));
  add_duration(cli, "--interval", o.interval, "Status period (default 5s; 0 = no status blocks)");
  cli.add_option("--connect-rate", o.connect_rate,
                 "New connections per second, all workers together (0 = as fast as possible)")
      ->capture_default_str()
      ->check(non_negative_number(1e9));
  cli.add_option_function<double>(
         "--rate", [&o](double rate) { o.rate = rate; },
         "Rate mode: command calls per second, all connections together, each connection "
         "calling at fixed due times instead of the plan's sleeps; latency runs from each "
         "call's due time, so a stalled server shows (0 = off; overrides the plan's rate:)")
      ->type_name("R")
      ->check(CLI::Validator(
          [](const std::string& text) {
            double rate = 0;
            try {
              rate = std::stod(text);
            } catch (const std::exception&) {
              return std::string("expected calls per second, e.g. 1000");
            }
            return plan::rate_problem(rate).value_or(std::string());
          },
          "R"));
  cli.add_option("--max-connecting", o.max_connecting, "Connects in flight at once")
      ->capture_default_str()
      ->check(whole_number(1, 1'000'000));
  add_duration(cli, "--timeout", o.timeout, "Reply timeout (default 10s; 0 = none)");
  add_duration(cli, "--connect-timeout", o.connect_timeout,
               "Connect timeout (default 10s; 0 = none)");
  cli.add_option_function<std::string>(
         "--max-reply",
         [&o](const std::string& text) {
           o.max_reply = static_cast<std::size_t>(*plan::parse_byte_size(text));
         },
         "Largest reply (or pushed data held); past it the connection closes, counted as "
         "reply_too_large (default 1MiB or the protocol's; 0 = none)")
      ->check(byte_size(std::uint64_t{1} << 40))
      ->type_name("BYTES");
  cli.add_option("--sndbuf", o.sndbuf, "SO_SNDBUF bytes per connection (0 = kernel default)")
      ->capture_default_str()
      ->check(whole_number(0, 1 << 30));
  cli.add_option_function<int>(
         "--rcvbuf", [&o](int bytes) { o.rcvbuf = bytes; },
         "SO_RCVBUF bytes per connection (default 128, or the protocol's: mqtt takes the "
         "kernel's; 0 = kernel default)")
      ->check(whole_number(0, 1 << 30));
  cli.add_option("--seed", o.seed, "Random seed (0 = from the clock)")
      ->check(whole_number(0, std::numeric_limits<std::uint64_t>::max()));
}

void add_module_flags(CLI::App& cli, Options& o) {
  cli.add_option_function<std::string>(
         "--lua-memory-limit",
         [&o](const std::string& text) { o.lua_memory_limit = *plan::parse_byte_size(text); },
         "Lua heap per worker; past it a command fails as a script error (default 1GiB; 0 = none)")
      ->check(byte_size(std::uint64_t{1} << 40))
      ->type_name("BYTES");
  add_duration(cli, "--lua-call-limit", o.lua_call_limit,
               "Longest a Lua command or parser may run without yielding; past it, a script "
               "error (default 1s; 0 = none, and the JIT on)");
}

void add_report_flags(CLI::App& cli, Options& o) {
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
  cli.add_option("--http", o.http,
                 "Serve a live dashboard, Prometheus /metrics and a JSON API (/api/status, "
                 "/api/incr?n=N, /api/decr?n=N, /api/rate?r=R, /api/stop) on host:port (loopback "
                 "unless a token is given)")
      ->type_name("ADDR");
  cli.add_option(
         "--html", o.html,
         "Write a self-contained HTML report (charts, latency distributions) here at the end")
      ->type_name("FILE.html");
}

void add_console_flags(CLI::App& cli, Options& o) {
  cli.add_option("--max-sessions", o.max_sessions, "Console sessions at once")
      ->capture_default_str()
      ->check(whole_number(1, 1000));
  cli.add_option("--console-token-file", o.console_token_file,
                 "File holding the console's token: sessions must `auth TOKEN` first "
                 "(or set SWARM_CONSOLE_TOKEN)")
      ->check(CLI::ExistingFile);
  add_duration(cli, "--console-idle-timeout", o.console_idle_timeout,
               "Close a console session idle this long (default 5m; 0 = never)");
  cli.add_option("--console-log", o.console_log,
                 "Append every console command, with peer and time, to this file (default: "
                 "stderr)");
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
      "through a built-in protocol (redis, memcached; see --protocols) or a protocol module "
      "of yours (Lua or native). Steer it live: telnet to --listen and type `incr 1000`, "
      "`decr 100`, `stat`, `stop`.",
      "swarm"};
  cli.get_formatter()->column_width(34);
  cli.set_version_flag("--version", "swarm " SWARM_VERSION, "Print swarm's version and exit");
  cli.footer(
      "Many machines as one run: start swarm with --http on each (an agent), then `swarm control "
      "--agents host:port,...` (see `swarm control --help`).");
  cli.failure_message([](const CLI::App*, const CLI::Error& error) {
    return "swarm: " + std::string(error.what()) + "\nRun with --help for more information.\n";
  });
  add_target_flags(cli, o);
  add_load_flags(cli, o);
  std::chrono::nanoseconds duration{};
  auto* duration_flag = add_duration(cli, "--duration", duration,
                                     "Stop after this long, print the final report, exit 0 "
                                     "(0 = run until stopped)");
  add_module_flags(cli, o);
  add_report_flags(cli, o);
  add_console_flags(cli, o);
  add_tls_options(cli, o);
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = cli.exit(error);
    return {std::nullopt, code == 0 ? 0 : 2};  // 2: bad usage, as for a bad plan
  }
  if (duration_flag->count() > 0 && duration > std::chrono::nanoseconds::zero()) {
    o.duration = duration;
  }
  o.argv.assign(argv, argv + argc);
  return {o, 0};
}

}  // namespace swarm::app
