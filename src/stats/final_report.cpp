#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "stats/report.hpp"
#include "stats/report_replies.hpp"
#include "stats/report_text.hpp"
#include "stats/units.hpp"
#include "swarm/version.hpp"

namespace swarm::stats {

using namespace text;

namespace {

using Seconds = std::chrono::duration<double>;

constexpr std::size_t kFinalScriptErrors = 10;  // messages listed in the final report
constexpr std::size_t kFinalDetailWidth = 300;  // an error kind with its first message

void append_final_script_errors(std::string& out, const Recorder& r) {
  if (r.script_errors.empty()) return;
  const auto list = ranked(r.script_errors, kFinalMessageWidth);
  Line("script errors").add(fmt::format("{} distinct", list.size())).end(out);
  const std::size_t shown = std::min(list.size(), kFinalScriptErrors);
  for (std::size_t i = 0; i < shown; ++i) {
    fmt::format_to(std::back_inserter(out), "  {:>6}x {}\n", format_exact(list[i].first),
                   list[i].second);
  }
  if (shown < list.size()) fmt::format_to(std::back_inserter(out), "  {}\n", rest_of(list, shown));
}

/// The latency rows; in rate mode (`both`) a command's row is its latency
/// from each call's due time, and a "service" row under it the time from
/// the send. With TLS, the handshake's row under the connect's.
void append_final_latency(std::string& out, const std::vector<CommandRow>& rows, const Recorder& r,
                          bool both, bool tls) {
  const Histogram& connect_us = r.connect_us;
  const auto points = {50.0, 90.0, 99.0, 99.9, 99.99, 100.0};
  const std::size_t width = name_width(rows);
  fmt::format_to(std::back_inserter(out),
                 "{:<{}}{:>9}{:>9}{:>9}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}{:>8}\n", "latency",
                 width, "calls", "requests", "replies", "errors", "mean", "p50", "p90", "p99",
                 "p99.9", "p99.99", "max");
  auto mean_of = [](const Histogram& h) {
    return h.empty() ? "-" : format_us(static_cast<std::uint64_t>(h.mean()));
  };
  for (const auto& row : rows) {
    const CommandStats& s = row.now;
    const Histogram& first = both ? s.intended_us : s.latency_us;
    fmt::format_to(std::back_inserter(out), "  {:<{}}{:>9}{:>9}{:>9}{:>8}{:>8}{}\n", row.name,
                   width - 2, format_exact(s.calls), format_exact(s.requests),
                   format_exact(s.replies), format_exact(s.errors), mean_of(first),
                   percentiles(first, points));
    if (!both) continue;
    fmt::format_to(std::back_inserter(out), "  {:<{}}{:>9}{:>9}{:>9}{:>8}{:>8}{}\n", kServiceRow,
                   width - 2, "", "", "", "", mean_of(s.latency_us),
                   percentiles(s.latency_us, points));
  }
  fmt::format_to(std::back_inserter(out), "  {:<{}}{:>9}{:>9}{:>9}{:>8}{:>8}{}\n", kConnectRow,
                 width - 2, "-", "-", "-", "-", mean_of(connect_us),
                 percentiles(connect_us, points));
  if (tls) {
    // Its calls column counts the handshakes completed.
    fmt::format_to(std::back_inserter(out), "  {:<{}}{:>9}{:>9}{:>9}{:>8}{:>8}{}\n", kHandshakeRow,
                   width - 2, format_exact(r.tls_handshakes), "-", "-", "-",
                   mean_of(r.handshake_us), percentiles(r.handshake_us, points));
  }
  if (both) {
    out +=
        "  (rate mode: a command's latency runs from when its call was due, so a backlog "
        "shows; service: from the send)\n";
  }
}

/// Every kind of error kept with a message, with the first one.
void append_final_details(std::string& out, const Recorder& r) {
  if (r.error_details.empty()) return;
  const auto list = detail_list(r, kFinalDetailWidth);
  Line("first errors")
      .add(fmt::format("{} kind{}, the first message of each", list.size(),
                       list.size() == 1 ? "" : "s"))
      .end(out);
  for (const auto& [times, text] : list) {
    fmt::format_to(std::back_inserter(out), "  {:>6}x {}\n", format_exact(times), text);
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

/// Every request ended one way or is counted in flight: the sum is exact.
void append_request_ends(std::string& out, const Recorder& r) {
  const CommandStats all = all_commands(r);
  const std::int64_t in_flight = static_cast<std::int64_t>(all.abandoned) + all.in_flight;
  Line("requests")
      .add(fmt::format("{} = replies {} + no_reply {} + failed {} + in_flight {}",
                       format_exact(all.requests), format_exact(all.replies),
                       format_exact(all.no_reply), format_exact(all.failed),
                       format_exact(in_flight)))
      .add("(in flight: cut short when decr or stop closed their connection)")
      .end(out);
}

/// The gauges just before the stop closed everything.
void append_at_stop(std::string& out, const Recorder& r) {
  Line line("at stop");
  line.add("open", format_exact(r.open));
  for (std::size_t i = 0; i < kConnStates; ++i) {
    line.add(to_string(static_cast<ConnState>(i)), format_exact(r.in_state[i]));
  }
  line.add("in_flight", format_exact(all_commands(r).in_flight));
  line.end(out);
}

}  // namespace

std::string format_final(const ReportContext& context, const Snapshot& end,
                         const Recorder* at_stop) {
  const Recorder& r = end.totals;
  const Seconds duration = end.taken - context.started;
  std::string out = fmt::format("swarm final report  version {}\n", kVersion);
  Line("duration").add(format_elapsed(duration)).end(out);
  append_connections(out, context, r);
  append_ended(out, r);
  if (at_stop != nullptr) append_at_stop(out, *at_stop);
  append_final_totals(out, r);
  append_request_ends(out, r);
  static const Recorder kNothing;  // rates since the start: from nothing (a named object,
                                   // where a temporary made g++ -O3 warn)
  append_rates(out, "average/s", r, kNothing, duration.count());
  append_rate(out, context, scheduled_calls(r), context.started, end.taken, "",
              at_stop != nullptr ? at_stop->owed_calls : 0);
  append_aggregates(out, r);
  const std::string errors = reason_items(r);
  Line("errors").add(errors.empty() ? "none" : errors).end(out);
  append_hints(out, r.errors);
  append_syn_retries(out, r.syn_retries, 0, "");
  if (context.tls) append_tls(out, r, nullptr, "");
  const std::vector<CommandRow> rows = command_rows(context.action_names, r, nullptr);
  append_final_kinds(out, kinds_rows(rows));
  append_final_received(out, r.received, duration.count());
  append_final_latency(out, with_delivery(rows, r, nullptr), r, context.rate.used(), context.tls);
  append_final_script_errors(out, r);
  append_final_details(out, r);
  append_silent_workers(out, end);
  return out;
}

std::string format_thresholds(const std::vector<ThresholdOutcome>& outcomes) {
  if (outcomes.empty()) return "";
  const auto failed = static_cast<std::size_t>(std::count_if(
      outcomes.begin(), outcomes.end(), [](const auto& o) { return !o.result.pass; }));
  std::string out;
  Line("thresholds")
      .add(fmt::format("{} passed", outcomes.size() - failed))
      .add(fmt::format("{} failed", failed))
      .end(out);
  std::size_t width = 10;
  for (const auto& o : outcomes) width = std::max(width, o.threshold.expression.size());
  for (const auto& o : outcomes) {
    std::string notes = o.source;
    if (o.threshold.warmup.count() > 0)
      notes += fmt::format(", judged over the last {}", format_elapsed(Seconds(o.judged_seconds)));
    if (o.aborted_run) notes += ", aborted the run";
    fmt::format_to(std::back_inserter(out), "  {:<4}  {:<{}}  {:>10}  ({})\n",
                   o.result.pass ? "pass" : "FAIL", o.threshold.expression, width, o.result.shown,
                   notes);
  }
  return out;
}

}  // namespace swarm::stats
