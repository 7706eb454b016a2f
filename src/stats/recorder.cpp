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
  }
  return "unknown";
}

void CommandStats::merge(const CommandStats& other) {
  calls += other.calls;
  requests += other.requests;
  replies += other.replies;
  errors += other.errors;
  latency_us.merge(other.latency_us);
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
  add_into(errors, other.errors);
  // Workers may not have seen every action yet: grow to the longer list.
  if (actions.size() < other.actions.size()) actions.resize(other.actions.size());
  for (std::size_t i = 0; i < other.actions.size(); ++i) actions[i].merge(other.actions[i]);
  for (const auto& [message, times] : other.script_errors) script_errors[message] += times;
  memory.merge(other.memory);
}

void MemoryUse::merge(const MemoryUse& other) noexcept {
  connections += other.connections;
  frames += other.frames;
  spill += other.spill;
  module += other.module;
  index += other.index;
  buffers += other.buffers;
}

}  // namespace swarm::stats
