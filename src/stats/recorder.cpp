#include "stats/recorder.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace swarm::stats {

const char* to_string(ConnState state) noexcept {
  switch (state) {
    case ConnState::connecting:
      return "connecting";
    case ConnState::acting:
      return "acting";
    case ConnState::standby:
      return "standby";
    case ConnState::backoff:
      return "backoff";
  }
  return "unknown";
}

std::optional<Reason> reason_named(std::string_view name) noexcept {
  for (std::size_t i = 0; i < kReasons; ++i) {
    if (name == to_string(static_cast<Reason>(i))) return static_cast<Reason>(i);
  }
  return std::nullopt;
}

const char* to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::refused:
      return "refused";
    case Reason::connect_timeout:
      return "connect_timeout";
    case Reason::unreachable:
      return "unreachable";
    case Reason::addr_in_use:
      return "addr_in_use";
    case Reason::addr_not_available:
      return "addr_not_available";
    case Reason::too_many_files:
      return "too_many_files";
    case Reason::closed:
      return "closed";
    case Reason::reset:
      return "reset";
    case Reason::timeout:
      return "timeout";
    case Reason::protocol_error:
      return "protocol_error";
    case Reason::script_error:
      return "script_error";
    case Reason::reply_too_large:
      return "reply_too_large";
    case Reason::other:
      return "other";
    case Reason::tls_verify:
      return "tls_verify";
    case Reason::tls_handshake:
      return "tls_handshake";
    case Reason::tls_alert:
      return "tls_alert";
    case Reason::tls_error:
      return "tls_error";
  }
  return "unknown";
}

const char* hint_for(Reason reason) noexcept {
  switch (reason) {
    case Reason::addr_not_available:
      return "no local port left to that server, or a --source address this host does not "
             "have: add --source addresses, or widen net.ipv4.ip_local_port_range";
    case Reason::addr_in_use:
      return "local ports taken: add --source addresses, or widen "
             "net.ipv4.ip_local_port_range";
    case Reason::too_many_files:
      return "the open-files limit is reached: raise it (ulimit -n)";
    default:
      return nullptr;
  }
}

void CommandStats::merge(const CommandStats& other) {
  calls += other.calls;
  requests += other.requests;
  replies += other.replies;
  no_reply += other.no_reply;
  failed += other.failed;
  abandoned += other.abandoned;
  in_flight += other.in_flight;
  errors += other.errors;
  bytes_in += other.bytes_in;
  bytes_out += other.bytes_out;
  scheduled += other.scheduled;
  latency_us.merge(other.latency_us);
  intended_us.merge(other.intended_us);
  reply_kinds.merge(other.reply_kinds);
}

std::uint64_t& MessageCounts::operator[](std::string_view message) {
  message = message.substr(0, kMaxBytes);
  if (const auto it = counts_.find(message); it != counts_.end()) return it->second;
  if (counts_.size() >= kMaxDistinct) message = kOthers;
  return counts_.try_emplace(std::string(message), 0).first->second;
}

MessageCounts MessageCounts::since(const MessageCounts& earlier) const {
  MessageCounts out = *this;
  for (auto& [message, times] : out.counts_) {
    const auto before = earlier.counts_.find(message);
    if (before != earlier.counts_.end())
      times = times > before->second ? times - before->second : 0;
  }
  std::erase_if(out.counts_, [](const auto& entry) { return entry.second == 0; });
  return out;
}

std::uint64_t MessageCounts::at(std::string_view message) const {
  const auto it = counts_.find(message);
  if (it == counts_.end()) throw std::out_of_range("no such message");
  return it->second;
}

void ActionStats::assign(const std::vector<std::string>& command_per_action) {
  std::vector<std::uint32_t> command_of;
  command_of.reserve(command_per_action.size());
  std::map<std::string_view, std::uint32_t> index;
  for (const std::string& name : command_per_action) {
    const auto it = index.emplace(name, static_cast<std::uint32_t>(index.size())).first;
    command_of.push_back(it->second);
  }
  set_map(std::move(command_of));
  commands_.assign(index.size(), CommandStats{});
}

void ActionStats::set_map(std::vector<std::uint32_t> command_of) {
  std::vector<char> first(command_of.size(), 0);
  std::vector<char> seen;
  for (std::size_t i = 0; i < command_of.size(); ++i) {
    if (seen.size() <= command_of[i]) seen.resize(command_of[i] + 1, 0);
    first[i] = seen[command_of[i]] ? 0 : 1;
    seen[command_of[i]] = 1;
  }
  command_of_ = std::make_shared<const std::vector<std::uint32_t>>(std::move(command_of));
  first_of_command_ = std::make_shared<const std::vector<char>>(std::move(first));
}

void ActionStats::resize(std::size_t actions) {
  std::vector<std::uint32_t> command_of(actions);
  for (std::size_t i = 0; i < actions; ++i) command_of[i] = static_cast<std::uint32_t>(i);
  set_map(std::move(command_of));
  commands_.resize(actions);
}

void ActionStats::merge(const ActionStats& other) {
  if (other.size() > size()) {
    command_of_ = other.command_of_;
    first_of_command_ = other.first_of_command_;
  }
  if (commands_.size() < other.commands_.size()) commands_.resize(other.commands_.size());
  for (std::size_t i = 0; i < other.commands_.size(); ++i) commands_[i].merge(other.commands_[i]);
}

namespace {

/// `now - before`, never wrapping (a worker may be missing from one snapshot).
std::uint64_t delta(std::uint64_t now, std::uint64_t before) {
  return now > before ? now - before : 0;
}

}  // namespace

CommandStats CommandStats::since(const CommandStats& earlier) const {
  CommandStats out;
  out.calls = delta(calls, earlier.calls);
  out.requests = delta(requests, earlier.requests);
  out.replies = delta(replies, earlier.replies);
  out.no_reply = delta(no_reply, earlier.no_reply);
  out.failed = delta(failed, earlier.failed);
  out.abandoned = delta(abandoned, earlier.abandoned);
  out.in_flight = in_flight;
  out.errors = delta(errors, earlier.errors);
  out.bytes_in = delta(bytes_in, earlier.bytes_in);
  out.bytes_out = delta(bytes_out, earlier.bytes_out);
  out.scheduled = delta(scheduled, earlier.scheduled);
  out.latency_us = latency_us.since(earlier.latency_us);
  out.intended_us = intended_us.since(earlier.intended_us);
  out.reply_kinds = reply_kinds.since(earlier.reply_kinds);
  return out;
}

ActionStats ActionStats::since(const ActionStats& earlier) const {
  ActionStats out = *this;
  for (std::size_t i = 0; i < commands_.size() && i < earlier.commands_.size(); ++i) {
    out.commands_[i] = commands_[i].since(earlier.commands_[i]);
  }
  return out;
}

Recorder Recorder::since(const Recorder& earlier) const {
  Recorder out = *this;  // gauges, memory and messages as now
  for (std::size_t i = 0; i < kConnStates; ++i)
    out.entered[i] = delta(entered[i], earlier.entered[i]);
  for (std::size_t i = 0; i < kReasons; ++i) out.errors[i] = delta(errors[i], earlier.errors[i]);
  out.connects = delta(connects, earlier.connects);
  out.connect_attempts = delta(connect_attempts, earlier.connect_attempts);
  for (std::size_t i = 0; i < kReasons; ++i) out.ended[i] = delta(ended[i], earlier.ended[i]);
  out.ended_by_plan = delta(ended_by_plan, earlier.ended_by_plan);
  out.ended_by_console = delta(ended_by_console, earlier.ended_by_console);
  out.requests = delta(requests, earlier.requests);
  out.replies = delta(replies, earlier.replies);
  out.bytes_in = delta(bytes_in, earlier.bytes_in);
  out.bytes_out = delta(bytes_out, earlier.bytes_out);
  out.iterations = delta(iterations, earlier.iterations);
  out.syn_retries = delta(syn_retries, earlier.syn_retries);
  out.connect_us = connect_us.since(earlier.connect_us);
  out.actions = actions.since(earlier.actions);
  out.script_errors = script_errors.since(earlier.script_errors);
  out.received = received.since(earlier.received);
  out.tls_handshakes = delta(tls_handshakes, earlier.tls_handshakes);
  out.tls_resumed = delta(tls_resumed, earlier.tls_resumed);
  out.handshake_us = handshake_us.since(earlier.handshake_us);
  for (auto& [kind, detail] : out.error_details) {
    const auto before = earlier.error_details.find(kind);
    if (before != earlier.error_details.end())
      detail.count = delta(detail.count, before->second.count);
  }
  std::erase_if(out.error_details, [](const auto& entry) { return entry.second.count == 0; });
  return out;
}

void Recorder::count_request_end(std::size_t action, RequestEnd end) noexcept {
  CommandStats& a = actions[action];
  --a.in_flight;
  switch (end) {
    case RequestEnd::replied:
      ++a.replies;
      ++replies;
      return;
    case RequestEnd::sent:
      ++a.no_reply;
      return;
    case RequestEnd::failed:
      ++a.failed;
      return;
    case RequestEnd::abandoned:
      ++a.abandoned;
      return;
  }
}

CommandStats all_commands(const Recorder& recorder) {
  CommandStats all;
  for (const auto& command : recorder.actions.commands()) all.merge(command);
  return all;
}

namespace {

template <class T, std::size_t N>
void add_into(std::array<T, N>& into, const std::array<T, N>& from) {
  std::transform(into.begin(), into.end(), from.begin(), into.begin(), std::plus<T>{});
}

}  // namespace

void Recorder::merge(const Recorder& other) {
  add_into(in_state, other.in_state);
  add_into(entered, other.entered);
  open += other.open;
  target += other.target;
  connects += other.connects;
  connect_attempts += other.connect_attempts;
  dialing += other.dialing;
  requests += other.requests;
  replies += other.replies;
  bytes_in += other.bytes_in;
  bytes_out += other.bytes_out;
  iterations += other.iterations;
  syn_retries += other.syn_retries;
  connect_us.merge(other.connect_us);
  add_into(errors, other.errors);
  add_into(ended, other.ended);
  ended_by_plan += other.ended_by_plan;
  ended_by_console += other.ended_by_console;
  actions.merge(other.actions);
  for (const auto& [message, times] : other.script_errors) script_errors[message] += times;
  received.merge(other.received);
  tls_handshakes += other.tls_handshakes;
  tls_resumed += other.tls_resumed;
  handshake_us.merge(other.handshake_us);
  for (const auto& [kind, detail] : other.error_details) {
    ErrorDetail& mine = error_details[kind];
    if (mine.count == 0) mine.first = detail.first;
    mine.count += detail.count;
  }
  memory.merge(other.memory);
  owed_calls += other.owed_calls;
}

void Recorder::count_error(Reason reason, const std::string& kind, std::string_view message) {
  ++errors[static_cast<std::size_t>(reason)];
  ErrorDetail& detail = error_details[kind];
  if (detail.count++ == 0) detail.first = message;
}

void MemoryUse::merge(const MemoryUse& other) noexcept {
  connections += other.connections;
  frames += other.frames;
  spill += other.spill;
  module += other.module;
  index += other.index;
  buffers += other.buffers;
  tls += other.tls;
}

}  // namespace swarm::stats
