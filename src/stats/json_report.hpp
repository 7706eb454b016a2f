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
};

/// The report as JSON text (UTF-8, pretty-printed, ending in a newline).
std::string format_json_report(const RunRecord& record);

/// One interval record as a JSON object on one line: the same shape as the
/// report's "intervals" items (GET /api/status, the dashboard's feed).
std::string format_interval_json(const IntervalRecord& record);

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
