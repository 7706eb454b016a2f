// Report: turns snapshots of the merged recorders into text, the live status
// block printed every interval and the final report. Pure functions: no I/O,
// no clock; the caller passes the times.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "stats/recorder.hpp"

namespace swarm::stats {

/// Every worker's recorder merged, at one moment.
struct Snapshot {
  Recorder totals;                              // all workers' counts, merged
  std::chrono::steady_clock::time_point taken;  // when the copies were taken
};

/// What the reports need to know about the run beyond the counts.
struct ReportContext {
  std::vector<std::string> action_names;          // command name per action index
  std::chrono::steady_clock::time_point started;  // when the run began
  std::int64_t target = 0;                        // connections asked for in total
};

/// The live status block (about a dozen lines, each ending in '\n'): gauges
/// from `now`, rates and interval latency over [previous.taken, now.taken],
/// totals since the start. Rows of actions sharing a command are merged.
std::string format_status(const ReportContext& context, const Snapshot& now,
                          const Snapshot& previous);

/// The report printed when the run ends: duration, totals, average rates,
/// latency per command, errors by reason and script error messages.
std::string format_final(const ReportContext& context, const Snapshot& end);

}  // namespace swarm::stats
