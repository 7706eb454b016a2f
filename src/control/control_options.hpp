// `swarm control`: the command line of a fleet's controller, parsed and
// checked. The console, --http, report and threshold flags are a single
// swarm's, with the same words; the rest says where the agents are and how
// to start them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace swarm::control {

struct ControlOptions {
  std::string agents;             // --agents: host:port,... or dns:NAME:PORT
  std::size_t expect_agents = 0;  // --expect-agents: wait for this many (0: the list's)
  std::chrono::nanoseconds expect_timeout{std::chrono::minutes(10)};  // then give up; 0 = never
  std::uint64_t connections = 0;  // --connections: the fleet's, opened together at start
  std::optional<double> rate;     // --rate: the fleet's calls per second (unset: the plan's)
  std::optional<std::chrono::nanoseconds> duration;                 // stop after this long
  std::chrono::nanoseconds interval{std::chrono::seconds(5)};       // status and pull period
  std::chrono::nanoseconds agent_timeout{std::chrono::seconds(5)};  // longest answer awaited
  std::chrono::nanoseconds start_delay{std::chrono::seconds(1)};    // start instant from now
  bool keep_agents = false;               // --keep-agents: leave them running (at 0) at the end
  std::string agent_token_file;           // the agents' token (else the console's)
  std::string listen = "127.0.0.1:8411";  // console address
  std::size_t max_sessions = 2;           // console sessions at once
  std::string console_token_file;         // the console's token file
  std::chrono::nanoseconds console_idle_timeout{std::chrono::minutes(5)};  // 0 = never
  std::string console_log;                                                 // empty = stderr
  std::string http;                     // --http: dashboard, metrics, API; empty = off
  std::string report;                   // --report FILE.json
  std::string html;                     // --html FILE.html
  std::string hdr_dir;                  // --hdr-dir DIR
  std::vector<std::string> thresholds;  // --threshold, in the order given
  std::vector<std::string> argv;        // the command line as given (for the report)
};

/// What parse_control_options() decided.
struct ParsedControlOptions {
  std::optional<ControlOptions> options;  // set when the run should go ahead
  int exit_code = 0;                      // otherwise: exit with this (0 for --help)
};

/// Parses `swarm control ...` (argv[1] is "control"); prints help or errors
/// itself.
ParsedControlOptions parse_control_options(int argc, char** argv);

}  // namespace swarm::control
