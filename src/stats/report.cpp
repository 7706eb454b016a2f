#include "stats/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <utility>

#include "stats/units.hpp"

namespace swarm::stats {

namespace {

using Seconds = std::chrono::duration<double>;

constexpr std::size_t kStatusScriptErrors = 3;  // messages shown in the status block
constexpr std::size_t kFinalScriptErrors = 10;  // messages listed in the final report
constexpr std::size_t kMessageWidth = 60;       // longer messages are cut
constexpr std::size_t kValueWidth = 8;          // a latency or count column

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
std::uint64_t delta(std::uint64_t now, std::uint64_t before) {
  return now > before ? now - before : 0;
}

double per_second(std::uint64_t count, double seconds) {
  return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

/// One latency row: the actions running one command, merged.
struct CommandRow {
  std::string name;     // the command
  CommandStats now;     // counts at the later snapshot
  CommandStats before;  // counts at the earlier snapshot (empty in the final report)
};

std::string action_name(const ReportContext& context, std::size_t index) {
  if (index < context.action_names.size()) return context.action_names[index];
  return fmt::format("action{}", index + 1);
}

/// Rows in plan order, one per distinct command name.
std::vector<CommandRow> command_rows(const ReportContext& context, const Recorder& now,
                                     const Recorder* before) {
  std::vector<CommandRow> rows;
  const std::size_t actions = std::max(context.action_names.size(), now.actions.size());
  for (std::size_t i = 0; i < actions; ++i) {
    std::string name = action_name(context, i);
    auto row =
        std::find_if(rows.begin(), rows.end(), [&](const CommandRow& r) { return r.name == name; });
    if (row == rows.end()) row = rows.insert(rows.end(), CommandRow{std::move(name), {}, {}});
    if (i < now.actions.size()) row->now.merge(now.actions[i]);
    if (before != nullptr && i < before->actions.size()) row->before.merge(before->actions[i]);
  }
  return rows;
}

std::size_t name_width(const std::vector<CommandRow>& rows) {
  std::size_t width = 14;
  for (const auto& row : rows) width = std::max(width, row.name.size() + 3);
  return width;
}

/// " p50 p90 p99 max" of `latency`, right-aligned; dashes when empty.
std::string percentiles(const Histogram& latency) {
  std::string out;
  for (const double p : {50.0, 90.0, 99.0, 100.0}) {
    const std::string value = latency.empty() ? "-" : format_us(latency.percentile(p));
    fmt::format_to(std::back_inserter(out), "{:>{}}", value, kValueWidth);
  }
  return out;
}

/// Non-zero reasons as "reason count" items ("" when all are zero).
std::string reason_items(const std::array<std::uint64_t, kReasons>& counts) {
  std::string out;
  for (std::size_t i = 0; i < kReasons; ++i) {
    if (counts[i] == 0) continue;
    if (!out.empty()) out += "  ";
    fmt::format_to(std::back_inserter(out), "{} {}", to_string(static_cast<Reason>(i)),
                   format_exact(counts[i]));
  }
  return out;
}

/// Adds the non-zero reasons to `line`, if any.
void add_reasons(Line& line, const std::array<std::uint64_t, kReasons>& counts) {
  const std::string items = reason_items(counts);
  if (!items.empty()) line.add(items);
}

std::array<std::uint64_t, kReasons> reasons_between(const Recorder& now, const Recorder& before) {
  std::array<std::uint64_t, kReasons> out{};
  for (std::size_t i = 0; i < kReasons; ++i) out[i] = delta(now.errors[i], before.errors[i]);
  return out;
}

void append_connections(std::string& out, const ReportContext& context, const Recorder& r) {
  const auto connecting = r.in_state[static_cast<std::size_t>(ConnState::connecting)];
  Line("connections")
      .add("target", format_exact(context.target))
      .add("open", format_exact(r.open))
      .add("connecting", format_exact(connecting))
      .add("established", format_exact(r.connects))
      .add("attempts", format_exact(r.connect_attempts))
      .end(out);
}

/// The original's "Realtime" view: connections in each state now, and the
/// errors of the last interval.
void append_realtime(std::string& out, const Recorder& now, const Recorder& before) {
  Line line("Realtime");
  for (std::size_t i = 0; i < kConnStates; ++i) {
    line.add(to_string(static_cast<ConnState>(i)), format_exact(now.in_state[i]));
  }
  add_reasons(line, reasons_between(now, before));
  line.end(out);
}

/// The original's "Aggregates" view: transitions into each state and errors,
/// since the start.
void append_aggregates(std::string& out, const Recorder& r) {
  Line line("Aggregates");
  for (std::size_t i = 0; i < kConnStates; ++i) {
    line.add(to_string(static_cast<ConnState>(i)), format_exact(r.entered[i]));
  }
  add_reasons(line, r.errors);
  line.end(out);
}

void append_rates(std::string& out, std::string_view label, const Recorder& now,
                  const Recorder& before, double seconds) {
  const auto rate = [&](std::uint64_t Recorder::*counter) {
    return per_second(delta(now.*counter, before.*counter), seconds);
  };
  Line(label)
      .add("connects", format_rate(rate(&Recorder::connects)))
      .add("requests", format_rate(rate(&Recorder::requests)))
      .add("replies", format_rate(rate(&Recorder::replies)))
      .add("iterations", format_rate(rate(&Recorder::iterations)))
      .add("in", format_bytes(rate(&Recorder::bytes_in)))
      .add("out", format_bytes(rate(&Recorder::bytes_out)))
      .end(out);
}

void append_status_errors(std::string& out, const Recorder& now, const Recorder& before,
                          const std::string& window) {
  const std::string since_start = reason_items(now.errors);
  if (since_start.empty()) {
    Line("errors").add("none").end(out);
    return;
  }
  const std::string recent = reason_items(reasons_between(now, before));
  Line("errors")
      .add(fmt::format("last {}: {}", window, recent.empty() ? "none" : recent))
      .add(fmt::format("| since start: {}", since_start))
      .end(out);
}

void append_status_latency(std::string& out, const std::vector<CommandRow>& rows, double seconds,
                           const std::string& window) {
  const std::size_t width = name_width(rows);
  fmt::format_to(std::back_inserter(out), "{:<{}}{:>7}{:>8}{:>8}{:>8}{:>8} |{:>8}{:>8}{:>8}{:>8}",
                 "latency", width, "req/s", "p50", "p90", "p99", "max", "p50", "p90", "p99", "max");
  fmt::format_to(std::back_inserter(out), "  (last {} | since start)\n", window);
  for (const auto& row : rows) {
    const Histogram interval = row.now.latency_us.since(row.before.latency_us);
    const double rate = per_second(delta(row.now.requests, row.before.requests), seconds);
    fmt::format_to(std::back_inserter(out), "  {:<{}}{:>7}{} |{}\n", row.name, width - 2,
                   format_rate(rate), percentiles(interval), percentiles(row.now.latency_us));
  }
}

/// Messages by count (most first), newlines flattened, long ones cut.
std::vector<std::pair<std::uint64_t, std::string>> ranked(
    const std::map<std::string, std::uint64_t>& messages) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& [message, times] : messages) {
    std::string text = message;
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    if (text.size() > kMessageWidth) text = text.substr(0, kMessageWidth - 3) + "...";
    out.emplace_back(times, std::move(text));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

/// "N more messages (M times)" for the messages past the first `shown`.
std::string rest_of(const std::vector<std::pair<std::uint64_t, std::string>>& list,
                    std::size_t shown) {
  std::uint64_t times = 0;
  for (std::size_t i = shown; i < list.size(); ++i) times += list[i].first;
  return fmt::format("{} more messages ({}x)", list.size() - shown, format_exact(times));
}

void append_status_script_errors(std::string& out, const Recorder& r) {
  if (r.script_errors.empty()) return;
  const auto list = ranked(r.script_errors);
  Line line("script errors");
  const std::size_t shown = std::min(list.size(), kStatusScriptErrors);
  for (std::size_t i = 0; i < shown; ++i) {
    line.add(fmt::format("{}x \"{}\"", format_exact(list[i].first), list[i].second));
  }
  if (shown < list.size()) line.add(rest_of(list, shown));
  line.end(out);
}

void append_final_script_errors(std::string& out, const Recorder& r) {
  if (r.script_errors.empty()) return;
  const auto list = ranked(r.script_errors);
  Line("script errors").add(fmt::format("{} distinct", list.size())).end(out);
  const std::size_t shown = std::min(list.size(), kFinalScriptErrors);
  for (std::size_t i = 0; i < shown; ++i) {
    fmt::format_to(std::back_inserter(out), "  {:>6}x {}\n", format_exact(list[i].first),
                   list[i].second);
  }
  if (shown < list.size()) fmt::format_to(std::back_inserter(out), "  {}\n", rest_of(list, shown));
}

void append_final_latency(std::string& out, const std::vector<CommandRow>& rows) {
  const std::size_t width = name_width(rows);
  fmt::format_to(std::back_inserter(out), "{:<{}}{:>9}{:>9}{:>9}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}\n",
                 "latency", width, "calls", "requests", "replies", "errors", "mean", "p50", "p90",
                 "p99", "max");
  for (const auto& row : rows) {
    const CommandStats& s = row.now;
    const std::string mean =
        s.latency_us.empty() ? "-" : format_us(static_cast<std::uint64_t>(s.latency_us.mean()));
    fmt::format_to(std::back_inserter(out), "  {:<{}}{:>9}{:>9}{:>9}{:>8}{:>8}{}\n", row.name,
                   width - 2, format_exact(s.calls), format_exact(s.requests),
                   format_exact(s.replies), format_exact(s.errors), mean,
                   percentiles(s.latency_us));
  }
}

void append_final_totals(std::string& out, const Recorder& r) {
  Line("totals")
      .add("requests", format_exact(r.requests))
      .add("replies", format_exact(r.replies))
      .add("iterations", format_exact(r.iterations))
      .add("in", format_bytes(static_cast<double>(r.bytes_in)))
      .add("out", format_bytes(static_cast<double>(r.bytes_out)))
      .end(out);
}

/// Bytes per open connection, by owner: what an idle connection costs swarm.
void append_memory(std::string& out, const Recorder& r) {
  const MemoryUse& m = r.memory;
  if (m.for_connections() == 0 && m.buffers == 0) return;
  const double count = static_cast<double>(std::max<std::int64_t>(1, r.open));
  auto each = [count](std::uint64_t bytes) {
    return fmt::format("{:.0f}B", static_cast<double>(bytes) / count);
  };
  Line("memory")
      .add(fmt::format("per connection {}", each(m.for_connections())))
      .add(fmt::format("(object {}  frames {}  spill {}  index {})", each(m.connections),
                       each(m.frames), each(m.spill), each(m.index)))
      .add(fmt::format("module {}", format_bytes(static_cast<double>(m.module))))
      .add(fmt::format("buffers {}", format_bytes(static_cast<double>(m.buffers))))
      .end(out);
}

}  // namespace

std::string format_status(const ReportContext& context, const Snapshot& now,
                          const Snapshot& previous) {
  const Recorder& r = now.totals;
  const Recorder& before = previous.totals;
  const double seconds = Seconds(now.taken - previous.taken).count();
  const std::string window = format_elapsed(now.taken - previous.taken);
  std::string out = fmt::format("swarm status  elapsed {}  interval {}\n",
                                format_elapsed(now.taken - context.started), window);
  append_connections(out, context, r);
  append_realtime(out, r, before);
  append_aggregates(out, r);
  append_rates(out, "rates/s", r, before, seconds);
  append_status_errors(out, r, before, window);
  append_status_latency(out, command_rows(context, r, &before), seconds, window);
  append_status_script_errors(out, r);
  append_memory(out, r);
  return out;
}

std::string format_final(const ReportContext& context, const Snapshot& end) {
  const Recorder& r = end.totals;
  const Seconds duration = end.taken - context.started;
  std::string out = "swarm final report\n";
  Line("duration").add(format_elapsed(duration)).end(out);
  append_connections(out, context, r);
  append_final_totals(out, r);
  append_rates(out, "average/s", r, Recorder{}, duration.count());
  append_aggregates(out, r);
  const std::string errors = reason_items(r.errors);
  Line("errors").add(errors.empty() ? "none" : errors).end(out);
  append_final_latency(out, command_rows(context, r, nullptr));
  append_final_script_errors(out, r);
  return out;
}

}  // namespace swarm::stats
