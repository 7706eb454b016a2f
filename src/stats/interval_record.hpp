// IntervalRecord: what one status block showed, kept for the JSON report's
// time series (one record per --interval).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "stats/recorder.hpp"
#include "stats/report.hpp"

namespace swarm::stats {

/// A latency distribution in a few numbers (µs).
struct LatencySummary {
  std::uint64_t count = 0;                // values
  std::uint64_t min = 0;                  // smallest
  double mean = 0;                        // arithmetic mean
  std::array<std::uint64_t, 5> points{};  // p50, p90, p99, p99.9, p99.99
  std::uint64_t max = 0;                  // largest
};
/// The percentiles LatencySummary::points holds, in order.
inline constexpr std::array<double, 5> kSummaryPercentiles = {50, 90, 99, 99.9, 99.99};
/// Their names in reports: "p50", "p90", "p99", "p99.9", "p99.99".
inline constexpr std::array<const char*, 5> kSummaryNames = {"p50", "p90", "p99", "p99.9",
                                                             "p99.99"};

LatencySummary summarize(const Histogram& histogram);

/// One command over one interval.
struct IntervalCommand {
  std::string name;                 // the command
  std::uint64_t calls = 0;          // calls started in the interval
  std::uint64_t requests = 0;       // requests sent in the interval
  std::uint64_t replies = 0;        // replies received in the interval
  std::uint64_t failed = 0;         // requests an error ended in the interval
  std::uint64_t errors = 0;         // calls that ended badly in the interval
  std::int64_t in_flight = 0;       // requests in flight at the interval's end
  LatencySummary latency;           // replies' latency in the interval (from the send)
  std::uint64_t scheduled = 0;      // rate mode: calls made on the schedule in the interval
  LatencySummary intended_latency;  // rate mode: the same replies, from their calls' due time
};

/// One status interval: gauges at its end, counts during it.
struct IntervalRecord {
  double elapsed_s = 0;                              // since the run started, at the end
  double seconds = 0;                                // the interval's length
  std::int64_t target = 0;                           // connections asked for
  std::int64_t open = 0;                             // TCP connections open at the end
  std::array<std::int64_t, kConnStates> in_state{};  // connections per state at the end
  std::uint64_t connects = 0;                        // connections established in the interval
  std::uint64_t attempts = 0;                        // connect() calls in the interval
  std::uint64_t syn_retries = 0;                     // connects that retransmitted a SYN
  std::uint64_t requests = 0;                        // requests sent in the interval
  std::uint64_t replies = 0;                         // replies received in the interval
  std::uint64_t iterations = 0;                      // plan iterations completed
  std::uint64_t bytes_in = 0;                        // bytes read
  std::uint64_t bytes_out = 0;                       // bytes written
  std::array<std::uint64_t, kReasons> errors{};      // errors by reason in the interval
  LatencySummary connect_time;                       // connect times in the interval
  std::vector<IntervalCommand> commands;             // per command, plan order
  bool rate_mode = false;       // a rate was set at some time in the run (rate_* are meaningful)
  double rate_target = 0;       // rate mode: the target at the interval's end (0: off)
  double rate_achieved = 0;     // rate mode: calls made on the schedule per second of the
                                // interval with a target in force
  std::uint64_t rate_owed = 0;  // rate mode: calls due and not yet made, at the end
};

/// The record of the interval [previous.taken, now.taken].
IntervalRecord interval_record(const ReportContext& context, const Snapshot& now,
                               const Snapshot& previous);

}  // namespace swarm::stats
