// Options: the command line, parsed and checked. Flags and defaults of the
// original are kept (-l, -r, -s, -p); the rest are swarm's own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace swarm::app {

/// Every flag's effective value. A new flag is also named in run_outputs.cpp
/// (flags_of), so the JSON report records it.
struct Options {
  std::string listen = "127.0.0.1:8411";  // console address
  std::vector<std::string> servers;       // server under test, host:port
  std::string script;                     // YAML plan file
  std::string protocol_dir;     // where NAME.lua / NAME.so modules live; may be empty (built-ins)
  std::size_t threads = 1;      // worker threads
  std::size_t connections = 0;  // connections opened at start
  std::optional<std::chrono::nanoseconds> duration;            // stop after this long
  std::chrono::nanoseconds interval{std::chrono::seconds(5)};  // status period; 0 = none
  double connect_rate = 1000;         // new connections per second; 0 = unpaced
  std::optional<double> rate;         // --rate: calls per second, all connections (rate
                                      // mode); 0 = off; unset: the plan's `rate:`, if any
  std::size_t max_connecting = 1000;  // connects in flight at once
  std::chrono::nanoseconds timeout{std::chrono::seconds(10)};          // reply timeout; 0 = none
  std::chrono::nanoseconds connect_timeout{std::chrono::seconds(10)};  // connect timeout; 0 = none
  std::optional<std::size_t> max_reply;  // --max-reply; unset: the module's default
  int sndbuf = 1024;                     // SO_SNDBUF; 0 = kernel default
  std::optional<int> rcvbuf;             // SO_RCVBUF; 0 = kernel default; unset: the module's
  std::string sources;                   // --source list, range or CIDR
  std::size_t max_sessions = 2;          // console sessions at once
  std::uint64_t seed = 0;                // random seed; 0 = from the clock
  std::string report;                    // --report: JSON report file; empty = none
  std::string hdr_dir;                   // --hdr-dir: directory for .hgrm files; empty = none
  std::vector<std::string> thresholds;   // --threshold, in the order given
  std::string http;                      // --http: dashboard, metrics and API address; empty = off
  std::string html;                      // --html: self-contained HTML report file; empty = none
  std::vector<std::string> argv;         // the command line as given (for the report)
  std::uint64_t lua_memory_limit = std::uint64_t{1} << 30;  // Lua heap per worker; 0 = none
  std::chrono::nanoseconds lua_call_limit{std::chrono::seconds(1)};  // Lua code without a
                                                                     // yield; 0 = none
  std::string console_token_file;  // file holding the console's token (else the env's)
  std::chrono::nanoseconds console_idle_timeout{std::chrono::minutes(5)};  // 0 = none
  std::string console_log;  // where console commands are logged; empty = stderr
  // TLS (all off unless --tls)
  bool tls = false;                    // --tls: TLS on every connection
  std::string tls_ca;                  // --tls-ca: PEM file or directory; empty = system store
  bool tls_insecure = false;           // --tls-insecure: no certificate verification
  std::optional<std::string> tls_sni;  // --tls-sni: unset = each server's host name
  std::string tls_cert;                // --tls-cert: client certificate (PEM)
  std::string tls_key;                 // --tls-key: its key (PEM); empty = in tls_cert
  std::vector<std::string> tls_alpn;   // --tls-alpn: protocols offered
  std::string tls_min_version;         // --tls-min-version: "", "1.2" or "1.3"
  bool tls_resume = false;             // --tls-resume: resume sessions on reconnect
};

/// The largest number of connections one --connections or `incr` asks for.
inline constexpr std::uint64_t kMaxConnectionsAtOnce = 10'000'000;

/// What parse_options() decided.
struct ParsedOptions {
  std::optional<Options> options;  // set when the run should go ahead
  int exit_code = 0;               // otherwise: exit with this (0 for --help)
};

/// Parses argv; prints help or errors itself.
ParsedOptions parse_options(int argc, char** argv);

}  // namespace swarm::app
