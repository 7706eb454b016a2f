// The snapshot an agent serves its controller (GET /api/snapshot): every
// count of the run so far, lossless (every histogram bucket, every error
// message kept), with who the agent is. A controller reads each agent's
// back into a Recorder and merges them with Recorder::merge: counters
// sum, histograms add bucket by bucket, so the fleet's percentiles are
// exactly what one process recording every sample would report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stats/recorder.hpp"

namespace swarm::stats {

/// The snapshot format's name and version, written as "schema".
inline constexpr std::string_view kSnapshotSchema = "swarm-snapshot/1";

/// Who an agent is: what a controller needs to tell runs apart and to check
/// that they run the same plan.
struct AgentIdentity {
  std::string run_id;       // random, fixed for the process's life: a restart is a new run
  std::string version;      // swarm's version
  std::string digest;       // "sha256:HEX" of the plan's text and the module's bytes
  std::string host;         // the machine's name
  double started_unix = 0;  // wall clock at the run's start, Unix seconds
};

/// A run's counts at one moment, as an agent serves them.
struct RunSnapshot {
  AgentIdentity agent;                    // who took it
  double taken_unix = 0;                  // wall clock when taken, Unix seconds
  double elapsed_s = 0;                   // since the run started
  double interval_s = 0;                  // the agent's status period (0: none)
  std::int64_t target = 0;                // connections asked for
  double rate = 0;                        // rate mode: calls per second asked for (0: off)
  bool stopping = false;                  // the run is ending
  std::vector<std::string> action_names;  // the command of each plan action, in order
  Recorder totals;                        // every worker's counts merged
  std::size_t silent_workers = 0;         // workers whose counts are from an earlier answer
};

/// The snapshot as JSON on one line.
std::string format_snapshot_json(const RunSnapshot& snapshot);

/// Reads format_snapshot_json()'s text back: the same counts, histogram for
/// histogram. Throws std::invalid_argument naming what is wrong (not JSON,
/// another schema, a missing or malformed field).
RunSnapshot parse_snapshot_json(std::string_view text);

}  // namespace swarm::stats
