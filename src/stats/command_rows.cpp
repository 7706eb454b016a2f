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

}  // namespace swarm::stats
