#include "stats/json_report.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "stats/command_rows.hpp"
#include "stats/json_parts.hpp"

namespace swarm::stats {
namespace {

using json_parts::json;
using json_parts::latency_json;
using json_parts::reasons_json;
using json_parts::states_json;
using json_parts::summary_json;
using Seconds = std::chrono::duration<double>;

/// "2024-05-01T12:00:00.123Z".
std::string iso_time(std::chrono::system_clock::time_point when) {
  const auto ms = std::chrono::time_point_cast<std::chrono::milliseconds>(when);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z", ms);
}

json flag_json(const FlagValue& value) {
  return std::visit(
      [](const auto& v) -> json {
        if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::monostate>) {
          return nullptr;
        } else {
          return v;
        }
      },
      value);
}

json config_json(const RunConfig& c) {
  json flags = json::object();
  for (const auto& [name, value] : c.flags) flags[name] = flag_json(value);
  return {{"argv", c.argv},
          {"flags", std::move(flags)},
          {"plan", {{"path", c.plan_path}, {"text", c.plan_text}}},
          {"module", {{"name", c.protocol}, {"path", c.module_path}, {"kind", c.module_kind}}},
          {"host", {{"name", c.host}, {"kernel", c.kernel}, {"cores", c.cores}}},
          {"digest", c.digest},
          {"started_at", iso_time(c.started_at)},
          {"ended_at", iso_time(c.ended_at)}};
}

json agents_json(const std::vector<AgentRecord>& agents) {
  json out = json::array();
  for (const auto& a : agents) {
    out.push_back({{"address", a.address},
                   {"state", a.state},
                   {"note", a.note},
                   {"run_id", a.run_id},
                   {"host", a.host},
                   {"digest", a.digest},
                   {"share", a.share},
                   {"open", a.open},
                   {"requests", a.requests},
                   {"replies", a.replies},
                   {"errors", a.errors},
                   {"last_seen_s", a.last_seen_s < 0 ? json(nullptr) : json(a.last_seen_s)}});
  }
  return out;
}

json request_ends_json(const CommandStats& s) {
  return {{"requests", s.requests}, {"replies", s.replies},     {"no_reply", s.no_reply},
          {"failed", s.failed},     {"abandoned", s.abandoned}, {"in_flight", s.in_flight}};
}

/// Rate mode: the target, what the schedule achieved and every change.
json rate_json(const RunRecord& record) {
  const RateHistory& rate = record.context.rate;
  std::uint64_t scheduled = 0;
  for (const auto& command : record.end.totals.actions.commands()) scheduled += command.scheduled;
  const double seconds = rate.seconds_on(record.context.started, record.end.taken);
  json changes = json::array();
  for (const auto& change : rate.changes()) {
    changes.push_back({{"at_s", Seconds(change.at - record.context.started).count()},
                       {"target", change.per_second}});
  }
  return {{"target", rate.target()},
          {"achieved", seconds > 0 ? static_cast<double>(scheduled) / seconds : 0.0},
          {"scheduled_calls", scheduled},
          {"seconds", seconds},
          {"owed_at_stop", record.at_stop.owed_calls},
          {"changes", std::move(changes)}};
}

json totals_json(const Recorder& r, double seconds) {
  json out = request_ends_json(all_commands(r));
  std::uint64_t errors = 0;
  for (const auto count : r.errors) errors += count;
  const auto rate = [seconds](std::uint64_t count) {
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
  };
  out.update({{"iterations", r.iterations},
              {"connects", r.connects},
              {"connect_attempts", r.connect_attempts},
              {"syn_retries", r.syn_retries},
              {"errors", errors},
              {"bytes_in", r.bytes_in},
              {"bytes_out", r.bytes_out},
              {"per_second",
               {{"connects", rate(r.connects)},
                {"requests", rate(r.requests)},
                {"replies", rate(r.replies)},
                {"iterations", rate(r.iterations)},
                {"bytes_in", rate(r.bytes_in)},
                {"bytes_out", rate(r.bytes_out)}}}});
  return out;
}

/// How every connect attempt ended: attempts = open + dialing + total.
json ended_json(const Recorder& r) {
  std::uint64_t total = r.ended_by_plan + r.ended_by_console;
  for (const auto count : r.ended) total += count;
  return {{"total", total},
          {"by_reason", reasons_json(r.ended)},
          {"close_connection", r.ended_by_plan},
          {"decr_stop", r.ended_by_console}};
}

json connections_json(const RunRecord& record) {
  const Recorder& r = record.end.totals;
  json out = {{"target", record.context.target},
              {"open_at_stop", record.at_stop.open},
              {"in_state_at_stop", states_json(record.at_stop.in_state)},
              {"entered", states_json(r.entered)},
              {"established", r.connects},
              {"attempts", r.connect_attempts},
              {"dialing", r.dialing},
              {"ended", ended_json(r)},
              {"syn_retries", r.syn_retries},
              {"connect_time", latency_json(r.connect_us)}};
  if (record.context.tls) {
    out["tls"] = {{"handshakes", r.tls_handshakes},
                  {"resumed", r.tls_resumed},
                  {"handshake_time", latency_json(r.handshake_us)}};
  }
  return out;
}

json errors_json(const Recorder& r) {
  json messages = json::array();
  for (const auto& [message, count] : r.script_errors) {
    messages.push_back({{"message", message}, {"count", count}});
  }
  json kinds = json::array();
  for (const auto& [kind, detail] : r.error_details) {
    kinds.push_back({{"kind", kind}, {"count", detail.count}, {"first_message", detail.first}});
  }
  return {{"by_reason", reasons_json(r.errors)},
          {"messages", std::move(messages)},
          {"kinds", std::move(kinds)}};
}

json reply_kinds_json(const ReplyKinds& kinds) {
  json out = json::object();
  for (const auto& [kind, count] : kinds.all()) {
    out[kind] = {{"count", count.times}, {"error", count.error}};
  }
  return out;
}

json received_json(const ReceivedStats& received) {
  json topics = json::object();
  for (const auto& [topic, times] : received.by_topic) topics[topic] = times;
  return {{"messages", received.messages},
          {"by_topic", std::move(topics)},
          {"other_topics", received.other_topics},
          {"publish_to_receive", latency_json(received.latency_us)}};
}

json commands_json(const RunRecord& record) {
  json out = json::array();
  for (const auto& row : command_rows(record.context.action_names, record.end.totals, nullptr)) {
    const CommandStats& s = row.now;
    json command = request_ends_json(s);
    std::vector<std::size_t> actions;
    for (const auto index : row.actions) actions.push_back(index + 1);
    command.update({{"name", row.name},
                    {"actions", actions},
                    {"calls", s.calls},
                    {"errors", s.errors},
                    {"bytes_in", s.bytes_in},
                    {"bytes_out", s.bytes_out},
                    {"latency", latency_json(s.latency_us)},
                    {"reply_kinds", reply_kinds_json(s.reply_kinds)}});
    if (record.context.rate.used()) {
      command["scheduled_calls"] = s.scheduled;
      command["intended_latency"] = latency_json(s.intended_us);
    }
    out.push_back(std::move(command));
  }
  return out;
}

json interval_json(const IntervalRecord& i) {
  json commands = json::array();
  for (const auto& c : i.commands) {
    json command = {{"name", c.name},           {"calls", c.calls},
                    {"requests", c.requests},   {"replies", c.replies},
                    {"failed", c.failed},       {"errors", c.errors},
                    {"in_flight", c.in_flight}, {"latency", summary_json(c.latency)}};
    if (i.rate_mode) {
      command["scheduled_calls"] = c.scheduled;
      command["intended_latency"] = summary_json(c.intended_latency);
    }
    commands.push_back(std::move(command));
  }
  json out = {{"elapsed_s", i.elapsed_s},
              {"seconds", i.seconds},
              {"target", i.target},
              {"open", i.open},
              {"in_state", states_json(i.in_state)},
              {"connects", i.connects},
              {"attempts", i.attempts},
              {"syn_retries", i.syn_retries},
              {"requests", i.requests},
              {"replies", i.replies},
              {"iterations", i.iterations},
              {"bytes_in", i.bytes_in},
              {"bytes_out", i.bytes_out},
              {"errors", reasons_json(i.errors)},
              {"connect_time", summary_json(i.connect_time)},
              {"commands", std::move(commands)}};
  if (i.rate_mode) {
    out["rate"] = {{"target", i.rate_target}, {"achieved", i.rate_achieved}, {"owed", i.rate_owed}};
  }
  return out;
}

json threshold_json(const ThresholdOutcome& o) {
  const Threshold& t = o.threshold;
  json value = o.result.has_data ? json(o.result.value) : json(nullptr);
  return {{"expression", t.expression},
          {"text", t.text},
          {"source", o.source},
          {"abort", t.abort},
          {"warmup_s", Seconds(t.warmup).count()},
          {"judged_s", o.judged_seconds},
          {"value", std::move(value)},
          {"unit", o.result.unit},
          {"shown", o.result.shown},
          {"pass", o.result.pass},
          {"aborted_run", o.aborted_run}};
}

/// `text` (pretty JSON) with every array of plain numbers on one line:
/// buckets read `[9984, 10047, 16936]`, not one number per line.
std::string collapse_number_arrays(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    out += c;
    if (in_string) {
      if (c == '\\') {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c != '[') continue;
    const std::size_t end = text.find_first_of("[]{}\"", i + 1);
    if (end == std::string::npos || text[end] != ']') continue;
    // Only numbers, commas and blanks inside: write them on one line.
    std::string_view inner(text.data() + i + 1, end - i - 1);
    if (inner.find_first_not_of("0123456789.eE+-, \n") != std::string_view::npos) continue;
    bool gap = false;
    for (const char d : inner) {
      if (d == ' ' || d == '\n') {
        gap = true;
        continue;
      }
      if (gap && out.back() == ',') out += ' ';
      gap = false;
      out += d;
    }
    out += ']';
    i = end;
  }
  return out;
}

}  // namespace

std::string format_json_report(const RunRecord& record) {
  const Recorder& r = record.end.totals;
  const double seconds = Seconds(record.end.taken - record.context.started).count();
  json intervals = json::array();
  for (const auto& interval : record.intervals) intervals.push_back(interval_json(interval));
  json thresholds = json::array();
  bool all_pass = true;
  for (const auto& outcome : record.thresholds) {
    thresholds.push_back(threshold_json(outcome));
    all_pass = all_pass && outcome.result.pass;
  }
  json totals = totals_json(r, seconds);
  if (record.context.rate.used()) totals["rate"] = rate_json(record);
  json report = {
      {"schema", kReportSchema},
      {"swarm", {{"version", record.config.version}}},
      {"config", config_json(record.config)},
      {"duration_s", seconds},
      {"stop", {{"reason", record.stop_reason}, {"exit_status", record.exit_status}}},
      {"totals", std::move(totals)},
      {"connections", connections_json(record)},
      {"errors", errors_json(r)},
      {"commands", commands_json(record)},
      {"received", received_json(record.end.totals.received)},
      {"intervals", std::move(intervals)},
      {"thresholds", {{"passed", all_pass}, {"list", std::move(thresholds)}}},
  };
  // A fleet's run (swarm control) lists its agents; a single swarm has none.
  if (!record.agents.empty()) report["agents"] = agents_json(record.agents);
  return collapse_number_arrays(report.dump(2)) + "\n";
}

std::string format_interval_json(const IntervalRecord& record) {
  return interval_json(record).dump();
}

std::string format_agents_json(const std::vector<AgentRecord>& agents) {
  return agents_json(agents).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string format_config_json(const RunConfig& config) {
  return config_json(config).dump();
}

std::string format_live_json(const ReportContext& context, const Snapshot& now,
                             const IntervalRecord& record) {
  const Recorder& r = now.totals;
  const double seconds = Seconds(now.taken - context.started).count();
  json commands = json::array();
  for (const auto& row : command_rows(context.action_names, r, nullptr)) {
    const CommandStats& s = row.now;
    json command = request_ends_json(s);
    command.update({{"name", row.name},
                    {"calls", s.calls},
                    {"errors", s.errors},
                    {"latency", summary_json(summarize(s.latency_us))}});
    commands.push_back(std::move(command));
  }
  const MemoryUse& m = r.memory;
  const json live = {{"interval", interval_json(record)},
                     {"since_start",
                      {{"elapsed_s", seconds},
                       {"target", context.target},
                       {"open", r.open},
                       {"entered", states_json(r.entered)},
                       {"totals", totals_json(r, seconds)},
                       {"errors", errors_json(r)},
                       {"commands", std::move(commands)},
                       {"connect_time", summary_json(summarize(r.connect_us))}}},
                     {"memory",
                      {{"connections", m.connections},
                       {"frames", m.frames},
                       {"spill", m.spill},
                       {"index", m.index},
                       {"module", m.module},
                       {"buffers", m.buffers}}}};
  return live.dump();
}

Histogram histogram_from_json(std::string_view latency_json) {
  nlohmann::json latency;
  try {
    latency = nlohmann::json::parse(latency_json);
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(std::string("latency object: ") + error.what());
  }
  return json_parts::histogram_from(latency);
}

}  // namespace swarm::stats
