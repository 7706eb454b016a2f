#include "stats/snapshot_json.hpp"

#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "stats/json_parts.hpp"

namespace swarm::stats {
namespace {

using json_parts::json;
using json_parts::latency_json;
using json_parts::reasons_json;
using json_parts::states_json;
using In = nlohmann::json;  // what is read back (key order does not matter there)

// Every field of Recorder is written below, and read back. A field added to
// Recorder must be added here too, or a controller would lose it: this size
// check fails the build until then (update it with the new size).
static_assert(sizeof(Recorder) == 904,
              "Recorder changed: write and read the new field in snapshot_json.cpp");
static_assert(sizeof(CommandStats) == 248,
              "CommandStats changed: write and read the new field in snapshot_json.cpp");

/// The command of each entry of ActionStats::commands(), in their order.
std::vector<std::string> command_names(const std::vector<std::string>& action_names,
                                       const ActionStats& actions) {
  std::vector<std::string> names(actions.commands().size());
  for (std::size_t i = 0; i < actions.size() && i < action_names.size(); ++i) {
    if (actions.owns(i)) names[actions.command_of(i)] = action_names[i];
  }
  return names;
}

json kinds_json(const ReplyKinds& kinds) {
  json out = json::array();
  for (const auto& [kind, count] : kinds.all()) out.push_back({kind, count.times, count.error});
  return out;
}

json received_json(const ReceivedStats& r) {
  json topics = json::array();
  for (const auto& [topic, count] : r.by_topic) topics.push_back({topic, count});
  return {{"messages", r.messages},
          {"by_topic", std::move(topics)},
          {"other_topics", r.other_topics},
          {"latency", latency_json(r.latency_us)}};
}

json command_json(const std::string& name, const CommandStats& s) {
  return {{"name", name},
          {"calls", s.calls},
          {"requests", s.requests},
          {"replies", s.replies},
          {"no_reply", s.no_reply},
          {"failed", s.failed},
          {"abandoned", s.abandoned},
          {"in_flight", s.in_flight},
          {"errors", s.errors},
          {"bytes_in", s.bytes_in},
          {"bytes_out", s.bytes_out},
          {"scheduled", s.scheduled},
          {"latency", latency_json(s.latency_us)},
          {"intended_latency", latency_json(s.intended_us)},
          {"reply_kinds", kinds_json(s.reply_kinds)}};
}

json memory_json(const MemoryUse& m) {
  return {{"connections", m.connections},
          {"frames", m.frames},
          {"spill", m.spill},
          {"module", m.module},
          {"index", m.index},
          {"buffers", m.buffers},
          {"tls", m.tls}};
}

json details_json(const std::map<std::string, ErrorDetail>& details) {
  json out = json::array();
  for (const auto& [kind, detail] : details) out.push_back({kind, detail.count, detail.first});
  return out;
}

json recorder_json(const Recorder& r, const std::vector<std::string>& action_names) {
  json commands = json::array();
  const auto names = command_names(action_names, r.actions);
  for (std::size_t i = 0; i < names.size(); ++i) {
    commands.push_back(command_json(names[i], r.actions.commands()[i]));
  }
  json messages = json::array();
  for (const auto& [message, count] : r.script_errors) messages.push_back({message, count});
  return {{"in_state", states_json(r.in_state)},
          {"entered", states_json(r.entered)},
          {"open", r.open},
          {"target", r.target},
          {"connects", r.connects},
          {"connect_attempts", r.connect_attempts},
          {"dialing", r.dialing},
          {"requests", r.requests},
          {"replies", r.replies},
          {"bytes_in", r.bytes_in},
          {"bytes_out", r.bytes_out},
          {"iterations", r.iterations},
          {"syn_retries", r.syn_retries},
          {"connect_time", latency_json(r.connect_us)},
          {"errors", reasons_json(r.errors)},
          {"ended", reasons_json(r.ended)},
          {"ended_by_plan", r.ended_by_plan},
          {"ended_by_console", r.ended_by_console},
          {"commands", std::move(commands)},
          {"script_errors", std::move(messages)},
          {"tls_handshakes", r.tls_handshakes},
          {"tls_resumed", r.tls_resumed},
          {"handshake_time", latency_json(r.handshake_us)},
          {"error_details", details_json(r.error_details)},
          {"received", received_json(r.received)},
          {"memory", memory_json(r.memory)},
          {"owed_calls", r.owed_calls}};
}

CommandStats command_from(const In& c) {
  CommandStats s;
  s.calls = c.at("calls").get<std::uint64_t>();
  s.requests = c.at("requests").get<std::uint64_t>();
  s.replies = c.at("replies").get<std::uint64_t>();
  s.no_reply = c.at("no_reply").get<std::uint64_t>();
  s.failed = c.at("failed").get<std::uint64_t>();
  s.abandoned = c.at("abandoned").get<std::uint64_t>();
  s.in_flight = c.at("in_flight").get<std::int64_t>();
  s.errors = c.at("errors").get<std::uint64_t>();
  s.bytes_in = c.at("bytes_in").get<std::uint64_t>();
  s.bytes_out = c.at("bytes_out").get<std::uint64_t>();
  s.scheduled = c.at("scheduled").get<std::uint64_t>();
  s.latency_us = json_parts::histogram_from(c.at("latency"));
  s.intended_us = json_parts::histogram_from(c.at("intended_latency"));
  for (const auto& kind : c.at("reply_kinds")) {
    s.reply_kinds.add(kind.at(0).get<std::string>(), kind.at(2).get<bool>(),
                      kind.at(1).get<std::uint64_t>());
  }
  return s;
}

void actions_from(const In& commands, const std::vector<std::string>& action_names, Recorder& r) {
  r.actions.assign(action_names);
  const auto names = command_names(action_names, r.actions);
  if (commands.size() != names.size()) {
    throw std::invalid_argument(fmt::format("{} commands for a plan of {} distinct commands",
                                            commands.size(), names.size()));
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string name = commands[i].at("name").get<std::string>();
    if (name != names[i]) {
      throw std::invalid_argument(
          fmt::format("command {} is '{}', the plan's is '{}'", i + 1, name, names[i]));
    }
    r.actions.command(i) = command_from(commands[i]);
  }
}

ReceivedStats received_from(const In& j) {
  ReceivedStats r;
  r.messages = j.at("messages").get<std::uint64_t>();
  for (const auto& topic : j.at("by_topic")) {
    r.by_topic[topic.at(0).get<std::string>()] = topic.at(1).get<std::uint64_t>();
  }
  r.other_topics = j.at("other_topics").get<std::uint64_t>();
  r.latency_us = json_parts::histogram_from(j.at("latency"));
  return r;
}

MemoryUse memory_from(const In& m) {
  MemoryUse out;
  out.connections = m.at("connections").get<std::uint64_t>();
  out.frames = m.at("frames").get<std::uint64_t>();
  out.spill = m.at("spill").get<std::uint64_t>();
  out.module = m.at("module").get<std::uint64_t>();
  out.index = m.at("index").get<std::uint64_t>();
  out.buffers = m.at("buffers").get<std::uint64_t>();
  out.tls = m.at("tls").get<std::uint64_t>();
  return out;
}

void counters_from(const In& j, Recorder& r) {
  json_parts::states_from(j.at("in_state"), r.in_state);
  json_parts::states_from(j.at("entered"), r.entered);
  r.open = j.at("open").get<std::int64_t>();
  r.target = j.at("target").get<std::int64_t>();
  r.connects = j.at("connects").get<std::uint64_t>();
  r.connect_attempts = j.at("connect_attempts").get<std::uint64_t>();
  r.dialing = j.at("dialing").get<std::int64_t>();
  r.requests = j.at("requests").get<std::uint64_t>();
  r.replies = j.at("replies").get<std::uint64_t>();
  r.bytes_in = j.at("bytes_in").get<std::uint64_t>();
  r.bytes_out = j.at("bytes_out").get<std::uint64_t>();
  r.iterations = j.at("iterations").get<std::uint64_t>();
  r.syn_retries = j.at("syn_retries").get<std::uint64_t>();
  r.connect_us = json_parts::histogram_from(j.at("connect_time"));
  r.errors = json_parts::reasons_from(j.at("errors"));
  r.ended = json_parts::reasons_from(j.at("ended"));
  r.ended_by_plan = j.at("ended_by_plan").get<std::uint64_t>();
  r.ended_by_console = j.at("ended_by_console").get<std::uint64_t>();
  r.tls_handshakes = j.at("tls_handshakes").get<std::uint64_t>();
  r.tls_resumed = j.at("tls_resumed").get<std::uint64_t>();
  r.handshake_us = json_parts::histogram_from(j.at("handshake_time"));
  for (const auto& entry : j.at("error_details")) {
    r.error_details[entry.at(0).get<std::string>()] = {entry.at(1).get<std::uint64_t>(),
                                                       entry.at(2).get<std::string>()};
  }
  r.received = received_from(j.at("received"));
  r.memory = memory_from(j.at("memory"));
  r.owed_calls = j.at("owed_calls").get<std::uint64_t>();
}

Recorder recorder_from(const In& j, const std::vector<std::string>& action_names) {
  Recorder r;
  counters_from(j, r);
  actions_from(j.at("commands"), action_names, r);
  for (const auto& entry : j.at("script_errors")) {
    r.script_errors[entry.at(0).get<std::string>()] += entry.at(1).get<std::uint64_t>();
  }
  return r;
}

AgentIdentity identity_from(const In& a) {
  return {a.at("run_id").get<std::string>(), a.at("version").get<std::string>(),
          a.at("digest").get<std::string>(), a.at("host").get<std::string>(),
          a.at("started_unix").get<double>()};
}

}  // namespace

std::string format_snapshot_json(const RunSnapshot& s) {
  const AgentIdentity& a = s.agent;
  const json out = {{"schema", kSnapshotSchema},
                    {"agent",
                     {{"run_id", a.run_id},
                      {"version", a.version},
                      {"digest", a.digest},
                      {"host", a.host},
                      {"started_unix", a.started_unix}}},
                    {"taken_unix", s.taken_unix},
                    {"elapsed_s", s.elapsed_s},
                    {"interval_s", s.interval_s},
                    {"target", s.target},
                    {"rate", s.rate},
                    {"stopping", s.stopping},
                    {"actions", s.action_names},
                    {"silent_workers", s.silent_workers},
                    {"totals", recorder_json(s.totals, s.action_names)}};
  // Replace, not throw, on invalid UTF-8: a module's error message may hold
  // any bytes.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

RunSnapshot parse_snapshot_json(std::string_view text) {
  try {
    const In j = In::parse(text);
    const auto schema = j.at("schema").get<std::string>();
    if (schema != kSnapshotSchema) {
      throw std::invalid_argument(
          fmt::format("schema '{}', this swarm reads '{}'", schema, kSnapshotSchema));
    }
    RunSnapshot s;
    s.agent = identity_from(j.at("agent"));
    s.taken_unix = j.at("taken_unix").get<double>();
    s.elapsed_s = j.at("elapsed_s").get<double>();
    s.interval_s = j.at("interval_s").get<double>();
    s.target = j.at("target").get<std::int64_t>();
    s.rate = j.at("rate").get<double>();
    s.stopping = j.at("stopping").get<bool>();
    s.action_names = j.at("actions").get<std::vector<std::string>>();
    s.silent_workers = j.at("silent_workers").get<std::size_t>();
    s.totals = recorder_from(j.at("totals"), s.action_names);
    return s;
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(fmt::format("snapshot: {}", error.what()));
  }
}

}  // namespace swarm::stats
