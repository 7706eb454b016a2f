// One agent as the controller knows it: where it is, what it last said
// (its snapshot: every count, every histogram bucket), whether it still
// answers, and the share it was asked to take.
#pragma once

#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "stats/recorder.hpp"
#include "stats/snapshot_json.hpp"

namespace swarm::control {

/// Intervals in a row without an answer after which an agent is lost.
inline constexpr int kMissesToLose = 3;

enum class AgentState {
  waiting,    // listed or resolved, never answered (or only before it was checked)
  up,         // answering, running the fleet's plan: it takes a share
  lost,       // no answer for kMissesToLose intervals: its last counts are kept
  refused,    // runs another plan or module: not counted, no share
  restarted,  // an earlier run at this address (its counts kept); the new run is another entry
};

/// "waiting", "up", "lost", "refused", "restarted".
const char* to_string(AgentState state) noexcept;

using Clock = std::chrono::steady_clock;

struct Agent {
  std::string address;                      // "10.0.0.7:8412": its key and its name in the status
  asio::ip::tcp::endpoint endpoint;         // where it is asked
  AgentState state = AgentState::waiting;   // see AgentState
  std::string note;                         // why it is lost or refused; the last problem
  std::optional<stats::RunSnapshot> last;   // its last answer
  Clock::time_point last_seen{};            // when that answer came
  stats::Recorder at_interval;              // its counts at the previous status block
  double at_interval_unix = 0;              // when at_interval was taken (its clock; 0: never)
  int missed = 0;                           // intervals in a row without an answer
  std::uint64_t share = 0;                  // connections it was last asked to hold
  double rate_share = 0;                    // calls per second it was last asked for
  bool share_unsent = false;                // its last share did not reach it: send again
  double round_trip_s = 0;                  // its last answer's round trip
  std::optional<stats::Recorder> baseline;  // its counts when it joined, if it had any: what
                                            // it did before the fleet's run is not the fleet's

  /// It takes part in the fleet (a share, its counts and gauges merged).
  bool member() const noexcept { return state == AgentState::up; }
  /// Its counts are part of the fleet's totals (up, or lost or restarted
  /// after it was up).
  bool counted() const noexcept;
  /// Its counts since it joined (its last answer less the baseline; gauges
  /// as last seen). Only when last is set.
  stats::Recorder counted_totals() const;
};

}  // namespace swarm::control
