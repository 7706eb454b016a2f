#include "stats/recorder.hpp"

#include <algorithm>
#include <functional>

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
  latency_us.merge(other.latency_us);
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
  out.latency_us = latency_us.since(earlier.latency_us);
  return out;
}

Recorder Recorder::since(const Recorder& earlier) const {
  Recorder out = *this;  // gauges, memory and messages as now
  for (std::size_t i = 0; i < kConnStates; ++i)
    out.entered[i] = delta(entered[i], earlier.entered[i]);
  for (std::size_t i = 0; i < kReasons; ++i) out.errors[i] = delta(errors[i], earlier.errors[i]);
  out.connects = delta(connects, earlier.connects);
  out.connect_attempts = delta(connect_attempts, earlier.connect_attempts);
  out.requests = delta(requests, earlier.requests);
  out.replies = delta(replies, earlier.replies);
  out.bytes_in = delta(bytes_in, earlier.bytes_in);
  out.bytes_out = delta(bytes_out, earlier.bytes_out);
  out.iterations = delta(iterations, earlier.iterations);
  out.syn_retries = delta(syn_retries, earlier.syn_retries);
  out.connect_us = connect_us.since(earlier.connect_us);
  for (std::size_t i = 0; i < actions.size(); ++i) {
    out.actions[i] = i < earlier.actions.size() ? actions[i].since(earlier.actions[i]) : actions[i];
  }
  for (auto& [message, times] : out.script_errors) {
    const auto before = earlier.script_errors.find(message);
    if (before != earlier.script_errors.end()) times = delta(times, before->second);
  }
  std::erase_if(out.script_errors, [](const auto& entry) { return entry.second == 0; });
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
  for (const auto& action : recorder.actions) all.merge(action);
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
  requests += other.requests;
  replies += other.replies;
  bytes_in += other.bytes_in;
  bytes_out += other.bytes_out;
  iterations += other.iterations;
  syn_retries += other.syn_retries;
  connect_us.merge(other.connect_us);
  add_into(errors, other.errors);
  // Workers may not have seen every action yet: grow to the longer list.
  if (actions.size() < other.actions.size()) actions.resize(other.actions.size());
  for (std::size_t i = 0; i < other.actions.size(); ++i) actions[i].merge(other.actions[i]);
  for (const auto& [message, times] : other.script_errors) script_errors[message] += times;
  tls_handshakes += other.tls_handshakes;
  tls_resumed += other.tls_resumed;
  handshake_us.merge(other.handshake_us);
  for (const auto& [kind, detail] : other.error_details) {
    ErrorDetail& mine = error_details[kind];
    if (mine.count == 0) mine.first = detail.first;
    mine.count += detail.count;
  }
  memory.merge(other.memory);
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
