// Thresholds checked against the plan, and judged against the counts.
#include "stats/threshold.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace swarm::stats {
namespace {

/// Counters that only grow: rate(...) takes these.
const std::vector<std::string_view> kCounters = {
    "requests",   "replies", "no_reply",    "failed",   "abandoned", "connects", "attempts",
    "iterations", "errors",  "syn_retries", "bytes_in", "bytes_out", "scheduled"};
/// Gauges: their value at the end of the judged window.
const std::vector<std::string_view> kGauges = {"open", "connecting", "in_flight", "target"};

bool contains(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string join(const std::vector<std::string_view>& names) {
  std::string out;
  for (const auto name : names) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

bool is_connect_reason(Reason reason) {
  return reason == Reason::refused || reason == Reason::connect_timeout ||
         reason == Reason::unreachable || reason == Reason::addr_in_use ||
         reason == Reason::addr_not_available || reason == Reason::too_many_files;
}

bool is_latency(ThresholdMetric metric) {
  return metric == ThresholdMetric::percentile || metric == ThresholdMetric::max ||
         metric == ThresholdMetric::min || metric == ThresholdMetric::mean;
}

std::optional<ThresholdError> unknown_command(const Threshold& t,
                                              const std::vector<std::string>& commands,
                                              std::string_view also) {
  if (std::find(commands.begin(), commands.end(), t.subject) != commands.end()) return std::nullopt;
  std::vector<std::string_view> names(commands.begin(), commands.end());
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return ThresholdError{t.subject_column,
                        fmt::format("unknown command '{}' (the plan's commands: {}{})", t.subject,
                                    join(names), also)};
}

/// The actions named `subject` ("*": all) merged into one.
CommandStats commands_named(const Recorder& r, const std::vector<std::string>& names,
                            const std::string& subject) {
  CommandStats out;
  for (std::size_t i = 0; i < r.actions.size(); ++i) {
    if (!r.actions.owns(i)) continue;  // a command shared with an earlier action
    if (subject == "*" || (i < names.size() && names[i] == subject)) out.merge(r.actions[i]);
  }
  return out;
}

std::uint64_t error_total(const Recorder& r) {
  std::uint64_t total = 0;
  for (const auto count : r.errors) total += count;
  return total;
}

/// A counter or gauge by name (checked before, so always one of the lists).
double counter_value(const Recorder& r, std::string_view name) {
  const CommandStats all = all_commands(r);
  if (name == "open") return static_cast<double>(r.open);
  if (name == "connecting") {
    return static_cast<double>(r.in_state[static_cast<std::size_t>(ConnState::connecting)]);
  }
  if (name == "in_flight") return static_cast<double>(all.in_flight);
  if (name == "target") return static_cast<double>(r.target);
  if (name == "requests") return static_cast<double>(r.requests);
  if (name == "replies") return static_cast<double>(r.replies);
  if (name == "no_reply") return static_cast<double>(all.no_reply);
  if (name == "failed") return static_cast<double>(all.failed);
  if (name == "abandoned") return static_cast<double>(all.abandoned);
  if (name == "connects") return static_cast<double>(r.connects);
  if (name == "attempts") return static_cast<double>(r.connect_attempts);
  if (name == "iterations") return static_cast<double>(r.iterations);
  if (name == "errors") return static_cast<double>(error_total(r));
  if (name == "syn_retries") return static_cast<double>(r.syn_retries);
  if (name == "bytes_in") return static_cast<double>(r.bytes_in);
  if (name == "bytes_out") return static_cast<double>(r.bytes_out);
  if (name == "scheduled") return static_cast<double>(all.scheduled);
  return 0;
}

/// errors(subject): {count, what it is a ratio of}.
std::pair<double, double> errors_of(const Threshold& t, const Recorder& r,
                                    const std::vector<std::string>& names) {
  if (t.subject == "*") {
    const double calls = static_cast<double>(all_commands(r).calls);
    return {static_cast<double>(error_total(r)), calls + static_cast<double>(r.connect_attempts)};
  }
  if (const auto reason = reason_named(t.subject)) {
    const double count = static_cast<double>(r.errors[static_cast<std::size_t>(*reason)]);
    const double base = is_connect_reason(*reason) ? static_cast<double>(r.connect_attempts)
                                                   : static_cast<double>(all_commands(r).calls);
    return {count, base};
  }
  const CommandStats command = commands_named(r, names, t.subject);
  return {static_cast<double>(command.errors), static_cast<double>(command.calls)};
}

bool holds(ThresholdCompare compare, double value, double bound) {
  switch (compare) {
    case ThresholdCompare::less:
      return value < bound;
    case ThresholdCompare::less_equal:
      return value <= bound;
    case ThresholdCompare::greater:
      return value > bound;
    case ThresholdCompare::greater_equal:
      return value >= bound;
    case ThresholdCompare::equal:
      return value == bound;
    case ThresholdCompare::not_equal:
      return value != bound;
  }
  return false;
}

std::string show_us(double us) {
  if (us < 1000) return fmt::format("{:.0f}us", us);
  if (us < 1e6) return fmt::format("{:.3g}ms", us / 1e3);
  return fmt::format("{:.3g}s", us / 1e6);
}

/// The histogram a latency threshold judges (see LatencyView).
Histogram latency_of(const Threshold& t, const Recorder& r, const std::vector<std::string>& names) {
  if (t.subject == "@connect") return r.connect_us;
  if (t.subject == "@handshake") return r.handshake_us;
  CommandStats command = commands_named(r, names, t.subject);
  switch (t.view) {
    case LatencyView::service:
      return std::move(command.latency_us);
    case LatencyView::intended:
      return std::move(command.intended_us);
    case LatencyView::automatic:
      break;
  }
  return std::move(command.intended_us.empty() ? command.latency_us : command.intended_us);
}

ThresholdResult latency_result(const Threshold& t, const Recorder& r,
                               const std::vector<std::string>& names) {
  const Histogram h = latency_of(t, r, names);
  ThresholdResult result;
  result.unit = "us";
  if (h.empty()) {
    result.shown = "no data";
    return result;
  }
  result.has_data = true;
  switch (t.metric) {
    case ThresholdMetric::percentile:
      result.value = static_cast<double>(h.percentile(t.percentile));
      break;
    case ThresholdMetric::max:
      result.value = static_cast<double>(h.max());
      break;
    case ThresholdMetric::min:
      result.value = static_cast<double>(h.min());
      break;
    default:
      result.value = h.mean();
      break;
  }
  result.shown = show_us(result.value);
  return result;
}

}  // namespace

const std::vector<std::string_view>& threshold_counter_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> all = kGauges;
    all.insert(all.end(), kCounters.begin(), kCounters.end());
    return all;
  }();
  return names;
}

std::optional<ThresholdError> check_threshold(const Threshold& t,
                                              const std::vector<std::string>& commands) {
  if (is_latency(t.metric)) {
    if ((t.subject == "@connect" || t.subject == "@handshake") &&
        t.view != LatencyView::automatic) {
      return ThresholdError{
          t.subject_column,
          fmt::format("'{}' has one latency ({} time): no service_ or "
                      "intended_ prefix",
                      t.subject, t.subject == "@connect" ? "connect" : "handshake")};
    }
    if (t.subject == "*" || t.subject == "@connect" || t.subject == "@handshake") {
      return std::nullopt;
    }
    return unknown_command(t, commands, ", '*', '@connect' or '@handshake'");
  }
  switch (t.metric) {
    case ThresholdMetric::errors:
      if (t.subject == "*" || reason_named(t.subject)) return std::nullopt;
      return unknown_command(t, commands, "; or '*' or a reason: timeout, refused, ...");
    case ThresholdMetric::rate:
      if (t.subject == "*" || contains(kCounters, t.subject)) return std::nullopt;
      if (contains(kGauges, t.subject)) {
        return ThresholdError{t.subject_column,
                              fmt::format("'{}' is a gauge: rate() takes a counter ({}) or a "
                                          "command",
                                          t.subject, join(kCounters))};
      }
      return unknown_command(t, commands, fmt::format("; or a counter: {}", join(kCounters)));
    case ThresholdMetric::counter:
      if (contains(threshold_counter_names(), t.subject)) return std::nullopt;
      return ThresholdError{
          t.subject_column,
          fmt::format("unknown metric '{}' (expected pNN(CMD), max(CMD), "
                      "mean(CMD), min(CMD), errors(...), rate(...) or one of: {})",
                      t.subject, join(threshold_counter_names()))};
    default:
      return std::nullopt;
  }
}

const char* to_string(ThresholdCompare compare) noexcept {
  switch (compare) {
    case ThresholdCompare::less:
      return "<";
    case ThresholdCompare::less_equal:
      return "<=";
    case ThresholdCompare::greater:
      return ">";
    case ThresholdCompare::greater_equal:
      return ">=";
    case ThresholdCompare::equal:
      return "==";
    case ThresholdCompare::not_equal:
      return "!=";
  }
  return "?";
}

ThresholdResult evaluate_threshold(const Threshold& t, const Recorder& window,
                                   const std::vector<std::string>& action_names, double seconds) {
  ThresholdResult result;
  if (is_latency(t.metric)) {
    result = latency_result(t, window, action_names);
  } else if (t.metric == ThresholdMetric::errors) {
    const auto [count, base] = errors_of(t, window, action_names);
    result.has_data = true;
    if (t.ratio) {
      // Nothing tried: no errors is 0 %, errors with nothing tried is 100 %.
      result.value = base > 0 ? count / base : (count > 0 ? 1.0 : 0.0);
      result.shown = fmt::format("{:.3g}%", result.value * 100);
      result.unit = "ratio";
    } else {
      result.value = count;
      result.shown = fmt::format("{:.0f}", count);
      result.unit = "count";
    }
  } else if (t.metric == ThresholdMetric::rate) {
    const double count =
        t.subject == "*" || contains(kCounters, t.subject)
            ? counter_value(window, t.subject == "*" ? "requests" : t.subject)
            : static_cast<double>(commands_named(window, action_names, t.subject).requests);
    result.has_data = true;
    result.value = seconds > 0 ? count / seconds : 0;
    result.shown = fmt::format("{:.1f}/s", result.value);
    result.unit = "per_second";
  } else {
    result.has_data = true;
    result.value = counter_value(window, t.subject);
    result.shown = fmt::format("{:.0f}", result.value);
    result.unit = "count";
  }
  result.pass = result.has_data && holds(t.compare, result.value, t.bound);
  return result;
}

}  // namespace swarm::stats
