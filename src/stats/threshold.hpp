// Thresholds: pass/fail criteria on a run's numbers, for CI (`--threshold`,
// a plan's `thresholds:`). The grammar is a pure function from text to a
// Threshold or an error with its column, so it can be fuzzed on its own:
//
//   threshold := expr { ";" option }
//   expr      := metric op number [unit]
//   metric    := [view] pNN "(" subject ")"   latency percentile, e.g. p99, p99.9
//              | [view] ("max"|"mean"|"min") "(" subject ")"     latency
//              | "errors" "(" subject ")"     errors: a count, or with % a ratio
//              | "rate" "(" subject ")"       per second over the judged window
//              | counter                      open, connecting, requests, ...
//   subject   := "*" | "@connect" | NAME      all commands, connect time, a command
//                                             (errors: also a reason; rate: a counter)
//   view      := "service_" | "intended_"     which latency (see LatencyView)
//   op        := "<" | "<=" | ">" | ">=" | "==" | "!="
//   unit      := "ns" | "us" | "µs" | "ms" | "s" | "m"    (latency: required)
//              | "%"                          (errors: a ratio)
//              | "k" | "M"                    (counts and rates: thousands, millions)
//   option    := "abort" | "warmup" "=" duration
//
// Examples: `p99(get) < 5ms`, `p99.9(*) < 50ms`, `errors(*) < 0.1%`,
// `errors(timeout) == 0`, `rate(replies) > 20000`, `open >= 10000`,
// `p99(get) < 5ms; abort; warmup=10s`, `service_p99(get) < 1ms`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats/recorder.hpp"

namespace swarm::stats {

/// What a threshold measures.
enum class ThresholdMetric : std::uint8_t {
  percentile,  // a latency percentile of `subject`
  max,         // the largest latency of `subject`
  min,         // the smallest latency of `subject`
  mean,        // the mean latency of `subject`
  errors,      // errors of `subject` (all, a reason, a command)
  rate,        // `subject` per second (a counter or a command's requests)
  counter,     // a counter or gauge named by `subject` (open, requests, ...)
};

/// Which latency of a command a latency metric judges.
enum class LatencyView : std::uint8_t {
  automatic,  // `p99(get)`: from the due time when the judged span had calls on a
              // rate schedule (what a user of the server waits), else from the send
  service,    // `service_p99(get)`: from the send (the service time), always
  intended,   // `intended_p99(get)`: from the due time, always (no data without a rate)
};

/// How the measured value is compared with the bound.
enum class ThresholdCompare : std::uint8_t {
  less,
  less_equal,
  greater,
  greater_equal,
  equal,
  not_equal
};

/// One parsed threshold.
struct Threshold {
  std::string text;        // the whole text as written, options included
  std::string expression;  // the expression alone, trimmed: "p99(get) < 5ms"
  ThresholdMetric metric = ThresholdMetric::counter;
  double percentile = 0;                      // metric percentile: in (0, 100]
  LatencyView view = LatencyView::automatic;  // latency metrics: which latency
  std::string subject;                        // "*", "@connect", a command, reason or counter name
  std::size_t subject_column = 0;             // 1-based column of `subject` in `text`
  ThresholdCompare compare = ThresholdCompare::less;
  double bound = 0;                   // latency: µs; ratio: a fraction (0.001); else as is
  bool ratio = false;                 // errors(...) with `%`: the error ratio
  bool abort = false;                 // `abort`: stop the run as soon as it fails
  std::chrono::nanoseconds warmup{};  // `warmup=T`: judge only what happens after T
};

/// Where a threshold's text is wrong, and how.
struct ThresholdError {
  std::size_t column = 0;  // 1-based column in the text
  std::string message;     // what is wrong, e.g. "expected <, <=, >, >=, == or !="
};

/// The result of parsing: a threshold, or the first error.
struct ThresholdParse {
  std::optional<Threshold> threshold;  // set when the text is valid
  ThresholdError error;                // otherwise: where and what
};

/// Parses one threshold. Pure: no I/O, no global state, never throws (but
/// std::bad_alloc); any input, however long or odd, gets an answer.
ThresholdParse parse_threshold(std::string_view text);

/// The error reasons errors(...) accepts (Reason names), and the counter
/// names a bare metric or rate(...) accepts.
const std::vector<std::string_view>& threshold_counter_names();

/// Checks that `threshold` names things that exist: the plan's `commands`,
/// a reason, a counter. nullopt when it does.
std::optional<ThresholdError> check_threshold(const Threshold& threshold,
                                              const std::vector<std::string>& commands);

/// "<", "<=", ">", ">=", "==", "!=".
const char* to_string(ThresholdCompare compare) noexcept;

/// A threshold judged: its value over the window and whether it holds.
struct ThresholdResult {
  bool has_data = false;  // false: nothing to judge (no replies for a latency)
  double value = 0;       // latency µs, ratio as a fraction, a count or a rate
  bool pass = false;      // the comparison holds (never without data)
  std::string shown;      // the value for people: "3.12ms", "0.052%", "20312/s"
  std::string unit;       // the value's unit in reports: us, ratio, per_second, count
};

/// Judges `threshold` on `window`: counters and histograms over the judged
/// span (Recorder::since), gauges at its end; `seconds` is the span's
/// length (for rates); `action_names` names the recorder's actions.
ThresholdResult evaluate_threshold(const Threshold& threshold, const Recorder& window,
                                   const std::vector<std::string>& action_names, double seconds);

/// A threshold, where it was written, and its verdict.
struct ThresholdOutcome {
  Threshold threshold;        // as parsed
  std::string source;         // "--threshold" or "plan.yml:12:5"
  ThresholdResult result;     // value and pass/fail
  double judged_seconds = 0;  // the span judged (the run less the warmup)
  bool aborted_run = false;   // it failed live and stopped the run (result: at that moment)
};

}  // namespace swarm::stats
