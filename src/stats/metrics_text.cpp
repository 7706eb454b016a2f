#include "stats/metrics_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <utility>
#include <vector>

#include "stats/command_rows.hpp"

namespace swarm::stats {
namespace {

/// A label value with `\`, `"` and newlines escaped, as both formats want.
std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

using Labels = std::vector<std::pair<std::string_view, std::string>>;

/// Writes metric families: the headers each format wants, then samples.
class Exposition {
 public:
  explicit Exposition(MetricsFormat format) : format_(format) {}

  /// Starts a family. `name` is the family's name without `_total`;
  /// `unit` ("seconds", "bytes") is declared in OpenMetrics.
  void family(std::string_view name, std::string_view type, std::string_view help,
              std::string_view unit = {}) {
    const bool open = format_ == MetricsFormat::openmetrics;
    const bool counter = type == "counter";
    std::string shown(name);
    if (!open && counter) shown += "_total";
    if (!open && type == "info") {
      shown += "_info";
      type = "gauge";
    }
    fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", shown, help, shown,
                   type);
    if (open && !unit.empty())
      fmt::format_to(std::back_inserter(out_), "# UNIT {} {}\n", name, unit);
  }

  /// One sample: `name` is the full sample name (with `_total`, `_bucket`).
  void sample(std::string_view name, const Labels& labels, std::string_view value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        fmt::format_to(std::back_inserter(out_), "{}{}=\"{}\"", i > 0 ? "," : "", labels[i].first,
                       escape_label(labels[i].second));
      }
      out_ += '}';
    }
    fmt::format_to(std::back_inserter(out_), " {}\n", value);
  }
  void sample(std::string_view name, const Labels& labels, std::uint64_t value) {
    sample(name, labels, fmt::format("{}", value));
  }
  void sample(std::string_view name, const Labels& labels, std::int64_t value) {
    sample(name, labels, fmt::format("{}", value));
  }

  /// A histogram's samples from a µs histogram, in seconds.
  void histogram(std::string_view name, Labels labels, const Histogram& h) {
    const auto counts = cumulative_buckets(h);
    labels.emplace_back("le", "");
    for (std::size_t i = 0; i < counts.size(); ++i) {
      labels.back().second = bound(kLatencyBucketsSeconds[i]);
      sample(fmt::format("{}_bucket", name), labels, counts[i]);
    }
    labels.back().second = "+Inf";
    sample(fmt::format("{}_bucket", name), labels, h.count());
    labels.pop_back();
    sample(fmt::format("{}_sum", name), labels,
           fmt::format("{}", static_cast<double>(h.sum()) / 1e6));
    sample(fmt::format("{}_count", name), labels, h.count());
  }

  std::string finish() {
    if (format_ == MetricsFormat::openmetrics) out_ += "# EOF\n";
    return std::move(out_);
  }

 private:
  /// A bucket bound as Prometheus' own clients write it: shortest form
  /// ("1e-05", "0.0025"), with ".0" on whole numbers in OpenMetrics.
  std::string bound(double seconds) const {
    std::string text = fmt::format("{}", seconds);
    const bool whole = text.find_first_of(".e") == std::string::npos;
    if (whole && format_ == MetricsFormat::openmetrics) text += ".0";
    return text;
  }

  MetricsFormat format_;  // which format
  std::string out_;       // the text so far
};

void write_info(Exposition& x, const ReportContext& context, const MetricsInfo& info,
                const Recorder& r) {
  x.family("swarm_build", "info", "swarm's version and the plan's protocol module.");
  x.sample("swarm_build_info", {{"version", info.version}, {"protocol", info.protocol}}, "1");
  x.family("swarm_start_time_seconds", "gauge", "When the run began, in seconds since the epoch.",
           "seconds");
  x.sample("swarm_start_time_seconds", {}, fmt::format("{:.3f}", info.start_time_s));
  x.family("swarm_connections_target", "gauge", "Connections asked for (incr minus decr).");
  x.sample("swarm_connections_target", {}, context.target);
  x.family("swarm_connections_open", "gauge", "TCP connections established now.");
  x.sample("swarm_connections_open", {}, r.open);
  x.family("swarm_connections_connecting", "gauge",
           "Connections waiting for a connect slot or for connect() to finish.");
  x.sample("swarm_connections_connecting", {},
           r.in_state[static_cast<std::size_t>(ConnState::connecting)]);
  x.family("swarm_connections", "gauge", "Connections in each state now.");
  for (std::size_t i = 0; i < kConnStates; ++i) {
    x.sample("swarm_connections", {{"state", to_string(static_cast<ConnState>(i))}}, r.in_state[i]);
  }
  x.family("swarm_state_entries", "counter", "Transitions of connections into each state.");
  for (std::size_t i = 0; i < kConnStates; ++i) {
    x.sample("swarm_state_entries_total", {{"state", to_string(static_cast<ConnState>(i))}},
             r.entered[i]);
  }
}

void write_counters(Exposition& x, const Recorder& r) {
  const auto counter = [&x](std::string_view name, std::string_view help, std::uint64_t value,
                            std::string_view unit = {}) {
    x.family(name, "counter", help, unit);
    x.sample(fmt::format("{}_total", name), {}, value);
  };
  counter("swarm_connects", "Connections established.", r.connects);
  counter("swarm_connect_attempts", "connect() calls.", r.connect_attempts);
  counter("swarm_syn_retries",
          "Connects whose SYN was retransmitted (the server's listen queue was full).",
          r.syn_retries);
  counter("swarm_iterations", "Plan iterations completed.", r.iterations);
  counter("swarm_received_bytes", "Bytes read from the servers.", r.bytes_in, "bytes");
  counter("swarm_sent_bytes", "Bytes written to the servers.", r.bytes_out, "bytes");
  x.family("swarm_errors", "counter", "Failures by reason (connects, I/O, replies, scripts).");
  for (std::size_t i = 0; i < kReasons; ++i) {
    x.sample("swarm_errors_total", {{"reason", to_string(static_cast<Reason>(i))}}, r.errors[i]);
  }
}

/// One family over every command row: `value(row)` gives the sample.
template <class Value>
void per_command(Exposition& x, const std::vector<CommandRow>& rows, std::string_view name,
                 std::string_view type, std::string_view help, Value value) {
  x.family(name, type, help);
  const std::string sample = type == "counter" ? fmt::format("{}_total", name) : std::string(name);
  for (const auto& row : rows) x.sample(sample, {{"command", row.name}}, value(row.now));
}

void write_commands(Exposition& x, const std::vector<CommandRow>& rows) {
  using S = const CommandStats&;
  per_command(x, rows, "swarm_requests", "counter", "Requests sent, by command.",
              [](S s) { return s.requests; });
  per_command(x, rows, "swarm_replies", "counter", "Complete replies received, by command.",
              [](S s) { return s.replies; });
  x.family("swarm_request_ends", "counter",
           "How requests ended: replied, sent (no reply awaited), failed, abandoned (closed by "
           "decr or stop).");
  for (const auto& row : rows) {
    const auto& s = row.now;
    const std::pair<const char*, std::uint64_t> ends[] = {{"replied", s.replies},
                                                          {"sent", s.no_reply},
                                                          {"failed", s.failed},
                                                          {"abandoned", s.abandoned}};
    for (const auto& [end, count] : ends) {
      x.sample("swarm_request_ends_total", {{"command", row.name}, {"end", end}}, count);
    }
  }
  per_command(x, rows, "swarm_requests_in_flight", "gauge",
              "Requests sent and not yet ended, by command.", [](S s) { return s.in_flight; });
  per_command(x, rows, "swarm_command_calls", "counter", "Command calls started, by command.",
              [](S s) { return s.calls; });
  per_command(x, rows, "swarm_command_errors", "counter",
              "Command calls that ended badly, by command.", [](S s) { return s.errors; });
  x.family("swarm_request_duration_seconds", "histogram",
           "Latency from a request's first byte sent to its reply's last byte received.",
           "seconds");
  for (const auto& row : rows) {
    x.histogram("swarm_request_duration_seconds", {{"command", row.name}}, row.now.latency_us);
  }
}

/// Rate mode (once a rate was set): the target, the backlog, the calls made
/// on the schedule and the latency from each call's due time.
void write_rate(Exposition& x, const ReportContext& context, const Recorder& totals,
                const std::vector<CommandRow>& rows) {
  if (!context.rate.used()) return;
  x.family("swarm_rate_target", "gauge",
           "Rate mode: command calls per second asked for, all connections (0: off).");
  x.sample("swarm_rate_target", {}, fmt::format("{}", context.rate.target()));
  x.family("swarm_rate_owed_calls", "gauge",
           "Rate mode: calls due and not yet made (the backlog behind schedule).");
  x.sample("swarm_rate_owed_calls", {}, totals.owed_calls);
  using S = const CommandStats&;
  per_command(x, rows, "swarm_scheduled_calls", "counter",
              "Rate mode: command calls made on the schedule, by command.",
              [](S s) { return s.scheduled; });
  x.family("swarm_request_intended_duration_seconds", "histogram",
           "Rate mode: latency from the time a request's call was due to its reply's last byte "
           "received (a backlog behind a stalled server shows here).",
           "seconds");
  for (const auto& row : rows) {
    x.histogram("swarm_request_intended_duration_seconds", {{"command", row.name}},
                row.now.intended_us);
  }
}

}  // namespace

MetricsFormat metrics_format_for(std::string_view accept) {
  return accept.find("application/openmetrics-text") != std::string_view::npos
             ? MetricsFormat::openmetrics
             : MetricsFormat::prometheus;
}

std::string_view metrics_content_type(MetricsFormat format) {
  return format == MetricsFormat::openmetrics
             ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
             : "text/plain; version=0.0.4; charset=utf-8";
}

std::array<std::uint64_t, kLatencyBucketsSeconds.size()> cumulative_buckets(
    const Histogram& histogram) {
  // The bounds in whole µs, the unit values are recorded in.
  static const auto bounds_us = [] {
    std::array<std::uint64_t, kLatencyBucketsSeconds.size()> us{};
    for (std::size_t i = 0; i < us.size(); ++i) {
      us[i] = static_cast<std::uint64_t>(std::llround(kLatencyBucketsSeconds[i] * 1e6));
    }
    return us;
  }();
  std::array<std::uint64_t, kLatencyBucketsSeconds.size()> counts{};
  histogram.for_each_bucket([&](std::size_t index, std::uint64_t count) {
    const std::uint64_t low = Histogram::lowest_in(index);
    const auto first = std::lower_bound(bounds_us.begin(), bounds_us.end(), low);
    if (first != bounds_us.end())
      counts[static_cast<std::size_t>(first - bounds_us.begin())] += count;
  });
  for (std::size_t i = 1; i < counts.size(); ++i) counts[i] += counts[i - 1];
  return counts;
}

std::string format_metrics(const ReportContext& context, const Recorder& totals,
                           const MetricsInfo& info, MetricsFormat format) {
  Exposition x(format);
  write_info(x, context, info, totals);
  write_counters(x, totals);
  const auto rows = command_rows(context.action_names, totals, nullptr);
  write_commands(x, rows);
  write_rate(x, context, totals, rows);
  x.family("swarm_connect_duration_seconds", "histogram",
           "Connect time: connect() called to the connection established.", "seconds");
  x.histogram("swarm_connect_duration_seconds", {}, totals.connect_us);
  return x.finish();
}

}  // namespace swarm::stats
