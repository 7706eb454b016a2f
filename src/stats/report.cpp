#include "stats/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <string_view>

#include "stats/report_replies.hpp"
#include "stats/report_text.hpp"
#include "stats/units.hpp"

namespace swarm::stats {

using namespace text;

namespace {

using Seconds = std::chrono::duration<double>;

constexpr std::size_t kStatusScriptErrors = 3;  // messages shown in the status block
constexpr std::size_t kDetailWidth = 110;       // an error kind with its first message

/// The original's "Realtime" view: connections in each state now, and the
/// errors of the last interval.
void append_realtime(std::string& out, const Recorder& now, const Recorder& interval) {
  Line line("Realtime");
  for (std::size_t i = 0; i < kConnStates; ++i) {
    line.add(to_string(static_cast<ConnState>(i)), format_exact(now.in_state[i]));
  }
  add_reasons(line, interval);
  line.end(out);
}

void append_status_errors(std::string& out, const Recorder& now, const Recorder& interval,
                          const std::string& window) {
  const std::string since_start = reason_items(now);
  if (since_start.empty()) {
    Line("errors").add("none").end(out);
    return;
  }
  const std::string recent = reason_items(interval);
  Line("errors")
      .add(fmt::format("last {}: {}", window, recent.empty() ? "none" : recent))
      .add(fmt::format("| since start: {}", since_start))
      .end(out);
}

/// The latency rows. In rate mode (`both`) a command's row is its latency
/// from each call's due time, and a "service" row under it the time from
/// the send.
void append_status_latency(std::string& out, const std::vector<CommandRow>& rows,
                           const Recorder& now, const Recorder& before, double seconds,
                           const std::string& window, bool both, bool tls) {
  const auto points = {50.0, 90.0, 99.0, 100.0};
  const std::size_t width = name_width(rows);
  fmt::format_to(std::back_inserter(out), "{:<{}}{:>7}{:>8}{:>8}{:>8}{:>8} |{:>8}{:>8}{:>8}{:>8}",
                 "latency", width, "req/s", "p50", "p90", "p99", "max", "p50", "p90", "p99", "max");
  fmt::format_to(std::back_inserter(out), "  (last {} | since start{})\n", window,
                 both ? "; from the due time, service: from the send" : "");
  auto row_line = [&](std::string_view name, std::string_view rate, const Histogram& recent,
                      const Histogram& total) {
    fmt::format_to(std::back_inserter(out), "  {:<{}}{:>7}{} |{}\n", name, width - 2, rate,
                   percentiles(recent, points), percentiles(total, points));
  };
  for (const auto& row : rows) {
    const std::string rate =
        format_rate(per_second(delta(row.now.requests, row.before.requests), seconds));
    if (both) {
      row_line(row.name, rate, row.now.intended_us.since(row.before.intended_us),
               row.now.intended_us);
    }
    row_line(both ? kServiceRow : std::string_view(row.name), both ? "" : rate,
             row.now.latency_us.since(row.before.latency_us), row.now.latency_us);
  }
  // Connect time: its rate column is connects per second.
  row_line(kConnectRow, format_rate(per_second(delta(now.connects, before.connects), seconds)),
           now.connect_us.since(before.connect_us), now.connect_us);
  if (!tls) return;
  // TLS handshakes: the rate column is handshakes per second.
  row_line(kHandshakeRow,
           format_rate(per_second(delta(now.tls_handshakes, before.tls_handshakes), seconds)),
           now.handshake_us.since(before.handshake_us), now.handshake_us);
}

/// The first message of each kind of error that keeps one (TLS failures).
void append_status_details(std::string& out, const Recorder& r) {
  if (r.error_details.empty()) return;
  const auto list = detail_list(r, kDetailWidth);
  Line line("first errors");
  const std::size_t shown = std::min(list.size(), kStatusScriptErrors);
  for (std::size_t i = 0; i < shown; ++i) {
    line.add(fmt::format("{}x \"{}\"", format_exact(list[i].first), list[i].second));
  }
  if (shown < list.size()) line.add(rest_of(list, shown));
  line.end(out);
}

void append_status_script_errors(std::string& out, const Recorder& r) {
  if (r.script_errors.empty()) return;
  const auto list = ranked(r.script_errors, kStatusMessageWidth);
  Line line("script errors");
  const std::size_t shown = std::min(list.size(), kStatusScriptErrors);
  for (std::size_t i = 0; i < shown; ++i) {
    line.add(fmt::format("{}x \"{}\"", format_exact(list[i].first), list[i].second));
  }
  if (shown < list.size()) line.add(rest_of(list, shown));
  line.end(out);
}

/// Bytes per open connection, by owner: what an idle connection costs swarm.
/// With none open there is nothing to divide by: the totals are shown as such.
void append_memory(std::string& out, const Recorder& r) {
  const MemoryUse& m = r.memory;
  if (m.for_connections() == 0 && m.buffers == 0) return;
  const bool none_open = r.open <= 0;
  const double count = none_open ? 1.0 : static_cast<double>(r.open);
  auto each = [count](std::uint64_t bytes) {
    return fmt::format("{:.0f}B", static_cast<double>(bytes) / count);
  };
  const std::string owners =
      fmt::format("object {}  frames {}  spill {}  index {}{}", each(m.connections), each(m.frames),
                  each(m.spill), each(m.index), m.tls > 0 ? "  tls " + each(m.tls) : std::string());
  Line line("memory");
  if (none_open) {
    line.add(fmt::format("no connection open, in all {}", each(m.for_connections())))
        .add(fmt::format("({})", owners));
  } else {
    line.add(fmt::format("per connection {}", each(m.for_connections())))
        .add(fmt::format("({})", owners));
  }
  line.add(fmt::format("module {}", format_bytes(static_cast<double>(m.module))))
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
  const Recorder interval = r.since(before);
  append_connections(out, context, r);
  append_ended(out, r);
  append_realtime(out, r, interval);
  append_aggregates(out, r);
  append_rates(out, "rates/s", r, before, seconds);
  append_rate(out, context, delta(scheduled_calls(r), scheduled_calls(before)), previous.taken,
              now.taken, window, r.owed_calls);
  append_status_errors(out, r, interval, window);
  append_hints(out, reasons_between(r, before));
  if (context.tls) append_tls(out, r, &before, window);
  const std::vector<CommandRow> rows = command_rows(context.action_names, r, &before);
  append_status_kinds(out, kinds_rows(rows), window);
  append_status_received(out, r.received, before.received, seconds);
  append_status_latency(out, with_delivery(rows, r, &before), r, before, seconds, window,
                        context.rate.used(), context.tls);
  append_syn_retries(out, r.syn_retries, delta(r.syn_retries, before.syn_retries), window);
  append_status_script_errors(out, r);
  append_status_details(out, r);
  append_memory(out, r);
  append_silent_workers(out, now);
  if (context.console_auth_failures > 0) {
    Line("console").add("auth failures", format_exact(context.console_auth_failures)).end(out);
  }
  return out;
}

std::string format_threshold_status(const std::vector<ThresholdOutcome>& outcomes) {
  if (outcomes.empty()) return "";
  std::size_t holding = 0;
  std::string failing;
  for (const auto& o : outcomes) {
    if (o.result.pass) {
      ++holding;
    } else {
      failing += fmt::format("  FAIL {} ({})", o.threshold.expression, o.result.shown);
    }
  }
  std::string out;
  Line("thresholds")
      .add(fmt::format("{} of {} hold{}", holding, outcomes.size(), failing))
      .end(out);
  return out;
}

}  // namespace swarm::stats
