// Pieces shared by the status block and the final report: a line of
// "word value" items, deltas, rates, percentile columns, error items, the
// connection lines both show. Internal to the stats layer.
#pragma once

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stats/command_rows.hpp"
#include "stats/recorder.hpp"
#include "stats/report.hpp"

namespace swarm::stats::text {

inline constexpr std::size_t kValueWidth = 8;            // a latency or count column
inline constexpr std::size_t kStatusMessageWidth = 160;  // longer messages are cut in the status
inline constexpr std::size_t kFinalMessageWidth = 300;   // and in the final report
/// The latency row of connect times (SYN sent to established); '@' keeps it
/// apart from any command name.
inline constexpr std::string_view kConnectRow = "@connect";

/// One line of "word value" items after a label padded to a common column.
class Line {
 public:
  explicit Line(std::string_view label) : text_(fmt::format("{:<13} ", label)) {}
  /// Appends "word value".
  Line& add(std::string_view word, std::string_view value) {
    separate();
    fmt::format_to(std::back_inserter(text_), "{} {}", word, value);
    return *this;
  }
  /// Appends free text.
  Line& add(std::string_view text) {
    separate();
    text_ += text;
    return *this;
  }
  /// Appends the line, newline included, to `out`.
  void end(std::string& out) const {
    out += text_;
    out += '\n';
  }

 private:
  void separate() {
    if (!first_) text_ += "  ";
    first_ = false;
  }

  std::string text_;   // the line so far
  bool first_ = true;  // no item yet: no separator needed
};

/// `now - before`, never wrapping (counters only grow, but a worker may be
/// missing from one of the snapshots).
inline std::uint64_t delta(std::uint64_t now, std::uint64_t before) {
  return now > before ? now - before : 0;
}

inline double per_second(std::uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

/// The width of the name column for `rows` (and the @connect and
/// @handshake rows).
std::size_t name_width(const std::vector<CommandRow>& rows);

/// Right-aligned latency columns of `latency` at each of `points` (100 is
/// max); dashes when empty.
std::string percentiles(const Histogram& latency, std::initializer_list<double> points);

/// The latency row of TLS handshakes (TCP connected to TLS ready).
inline constexpr std::string_view kHandshakeRow = "@handshake";

/// Non-zero reasons of `r` as "reason count" items ("" when all are zero).
/// A reason also counted by name shows its names instead:
/// "tls_alert:unknown_ca 3". For an interval, pass `now.since(before)`.
std::string reason_items(const Recorder& r);
/// Adds the non-zero reasons to `line`, if any.
void add_reasons(Line& line, const Recorder& r);
/// Non-zero counts by reason, plain ("closed 3  reset 1"): for counts kept
/// by reason only (Recorder::ended).
std::string reason_items(const std::array<std::uint64_t, kReasons>& counts);
void add_reasons(Line& line, const std::array<std::uint64_t, kReasons>& counts);
/// Errors by reason counted after `before`.
std::array<std::uint64_t, kReasons> reasons_between(const Recorder& now, const Recorder& before);

/// "connections target .. open .. connecting .. established .. attempts ..
/// dialing ..".
void append_connections(std::string& out, const ReportContext& context, const Recorder& r);
/// "ended total .. closed .. refused .. close_connection .. decr/stop ..":
/// how every connect attempt ended, so attempts = open + dialing + total.
void append_ended(std::string& out, const Recorder& r);
/// The original's "Aggregates" view: transitions into each state and errors,
/// since the start.
void append_aggregates(std::string& out, const Recorder& r);
/// Rates of connects, requests, replies, iterations and bytes over `seconds`.
void append_rates(std::string& out, std::string_view label, const Recorder& now,
                  const Recorder& before, double seconds);
/// When connects needed SYN retransmissions: how many, and what to do.
void append_syn_retries(std::string& out, std::uint64_t total, std::uint64_t recent,
                        std::string_view window);

/// Calls made on a rate schedule, all commands.
std::uint64_t scheduled_calls(const Recorder& r);
/// Rate mode (when a rate was ever set): the target now, the calls made on
/// the schedule per second of [from, to] with a target in force (`window`
/// names that span, "last 2.0s"; empty: the whole run), and the calls
/// `owed` (due, not yet made) with a hint when they are over a second's
/// worth.
void append_rate(std::string& out, const ReportContext& context, std::uint64_t scheduled,
                 std::chrono::steady_clock::time_point from,
                 std::chrono::steady_clock::time_point to, std::string_view window,
                 std::uint64_t owed);
/// The name of the row under a command's latency in rate mode: its service
/// time, from the send.
inline constexpr std::string_view kServiceRow = "  service";

/// `message` on one line, at most `width` characters: line ends become
/// spaces, other control bytes `\xNN` (a message may quote a server's bytes:
/// they must not drive the terminal).
std::string one_line(std::string_view message, std::size_t width);
/// Messages by count (most first), each on one line of at most `width`.
std::vector<std::pair<std::uint64_t, std::string>> ranked(const MessageCounts& messages,
                                                          std::size_t width);
/// The kinds of error kept with a message (Recorder::error_details) as
/// "kind: first message", most frequent first.
std::vector<std::pair<std::uint64_t, std::string>> detail_list(const Recorder& r,
                                                               std::size_t width);
/// "tls  handshakes N  resumed M (P%)", with the last interval's when
/// `before` is given.
void append_tls(std::string& out, const Recorder& now, const Recorder* before,
                std::string_view window);
/// "N more messages (M times)" for the messages past the first `shown`.
std::string rest_of(const std::vector<std::pair<std::uint64_t, std::string>>& list,
                    std::size_t shown);

/// One "hint" line per reason counted in `counts` that has one.
void append_hints(std::string& out, const std::array<std::uint64_t, kReasons>& counts);
/// One "workers" line per worker that did not answer: its connections are
/// frozen and its counts are old, which the reader must know.
void append_silent_workers(std::string& out, const Snapshot& snapshot);

}  // namespace swarm::stats::text
