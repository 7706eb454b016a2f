#include "stats/command_rows.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace swarm::stats {

std::vector<CommandRow> command_rows(const std::vector<std::string>& action_names,
                                     const Recorder& now, const Recorder* before) {
  std::vector<CommandRow> rows;
  const std::size_t actions = std::max(action_names.size(), now.actions.size());
  for (std::size_t i = 0; i < actions; ++i) {
    std::string name = i < action_names.size() ? action_names[i] : fmt::format("action{}", i + 1);
    auto row =
        std::find_if(rows.begin(), rows.end(), [&](const CommandRow& r) { return r.name == name; });
    if (row == rows.end()) row = rows.insert(rows.end(), CommandRow{std::move(name), {}, {}, {}});
    row->actions.push_back(i);
    // Actions of one command share their counts: add them once.
    if (i >= now.actions.size() || !now.actions.owns(i)) continue;
    row->now.merge(now.actions[i]);
    if (before != nullptr && i < before->actions.size()) row->before.merge(before->actions[i]);
  }
  return rows;
}

std::vector<CommandRow> with_delivery(std::vector<CommandRow> rows, const Recorder& now,
                                      const Recorder* before) {
  if (now.received.latency_us.empty()) return rows;
  CommandRow row{kDeliveryRow, {}, {}, {}};
  row.now.latency_us = now.received.latency_us;
  row.now.requests = row.now.replies = now.received.latency_us.count();
  if (before != nullptr) {
    row.before.latency_us = before->received.latency_us;
    row.before.requests = row.before.replies = before->received.latency_us.count();
  }
  rows.push_back(std::move(row));
  return rows;
}

}  // namespace swarm::stats
