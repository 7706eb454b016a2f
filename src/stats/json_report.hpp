// The JSON report (--report FILE.json): the run's configuration, every
// counter, every latency distribution with its buckets, the status
// intervals and the thresholds, for machines. docs/report.schema.json
// documents it field by field; "schema" names its version.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "stats/interval_record.hpp"
#include "stats/recorder.hpp"
#include "stats/report.hpp"
#include "stats/threshold.hpp"

namespace swarm::stats {

/// The report format's name and version, written as "schema".
inline constexpr std::string_view kReportSchema = "swarm-report/1";

/// A flag's effective value: null (not set), bool, integer, real, text or a list.
using FlagValue =
    std::variant<std::monostate, bool, std::int64_t, double, std::string, std::vector<std::string>>;

/// What the run was asked to do, and where it ran.
struct RunConfig {
  std::string version;                                   // swarm's version
  std::vector<std::string> argv;                         // the command line as given
  std::vector<std::pair<std::string, FlagValue>> flags;  // every flag's effective value
  std::string plan_path;                                 // the plan file
  std::string plan_text;                                 // its text as read
  std::string protocol;                                  // the module's name
  std::string module_path;                               // the module file loaded
  std::string module_kind;                               // "lua" or "native"
  std::string host;                                      // this machine's name
  std::string kernel;                                    // uname: system and release
  unsigned cores = 0;                                    // CPUs this process may use
  std::chrono::system_clock::time_point started_at;      // wall clock at the start
  std::chrono::system_clock::time_point ended_at;        // wall clock at the end
  std::string digest;  // "sha256:HEX" of the plan's text and the module's bytes (a fleet's
                       // controller checks its agents run the same)
};

/// One agent of a fleet's run (`swarm control`), as the report lists it.
struct AgentRecord {
  std::string address;         // where the controller reached it: "10.0.0.7:8412"
  std::string state;           // "up", "lost", "refused" (another plan), "restarted", "waiting"
  std::string note;            // why it is lost or refused; empty otherwise
  std::string run_id;          // its run (empty: it never answered)
  std::string host;            // its machine's name
  std::string digest;          // its plan and module's digest
  std::int64_t share = 0;      // connections it was asked to hold, last
  std::int64_t open = 0;       // open at its last answer
  std::uint64_t requests = 0;  // requests it sent, as of its last answer
  std::uint64_t replies = 0;   // replies it received, as of its last answer
  std::uint64_t errors = 0;    // errors it counted, as of its last answer
  double last_seen_s = -1;     // how long before the end it last answered (-1: never)
};

/// Everything the report is made of.
struct RunRecord {
  RunConfig config;                          // the configuration
  ReportContext context;                     // action names, start, target
  Snapshot end;                              // counts after the stop
  Recorder at_stop;                          // gauges just before the stop
  std::vector<IntervalRecord> intervals;     // one per status block
  std::vector<ThresholdOutcome> thresholds;  // in the order given
  std::string stop_reason;                   // why the run ended
  int exit_status = 0;                       // what swarm exits with
  std::vector<AgentRecord> agents;           // a fleet's agents (`swarm control`); empty alone
};

/// The report as JSON text (UTF-8, pretty-printed, ending in a newline).
std::string format_json_report(const RunRecord& record);

/// One interval record as a JSON object on one line: the same shape as the
/// report's "intervals" items (GET /api/status, the dashboard's feed).
std::string format_interval_json(const IntervalRecord& record);

/// A fleet's agents as the report's "agents" array, on one line (GET
/// /api/agents; "[]" for a single swarm).
std::string format_agents_json(const std::vector<AgentRecord>& agents);

/// The configuration as the report's "config" object, on one line.
std::string format_config_json(const RunConfig& config);

/// What the live dashboard shows at each interval, on one line:
/// {"interval": <as format_interval_json>, "since_start": {totals, errors
/// by reason with messages, per command counts and latency summaries,
/// connect time}, "memory": {bytes by owner}}.
std::string format_live_json(const ReportContext& context, const Snapshot& now,
                             const IntervalRecord& record);

/// Reads back a latency object of a report ({"count", "sum", "min", "max",
/// "histogram": {"buckets": [[lowest, highest, count], ...]}}) into a
/// Histogram equal to the one written. Throws std::invalid_argument on a
/// malformed object.
Histogram histogram_from_json(std::string_view latency_json);

}  // namespace swarm::stats
