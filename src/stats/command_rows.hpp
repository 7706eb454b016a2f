// Command rows: a plan's actions merged by command name, as every report
// shows them (a command run by two actions is one row).
#pragma once

#include <string>
#include <vector>

#include "stats/recorder.hpp"

namespace swarm::stats {

/// One row: the actions running one command, merged.
struct CommandRow {
  std::string name;                  // the command
  std::vector<std::size_t> actions;  // the plan's action indexes (0-based) that run it
  CommandStats now;                  // counts at the later snapshot
  CommandStats before;               // counts at the earlier snapshot (empty when none)
};

/// Rows in plan order, one per distinct command name; `before` may be null.
/// Actions past `action_names` are named "actionN".
std::vector<CommandRow> command_rows(const std::vector<std::string>& action_names,
                                     const Recorder& now, const Recorder* before);

/// The latency row name of messages received with swarm's send stamp.
inline constexpr const char* kDeliveryRow = "publish-to-receive";

/// `rows` plus one for the publish-to-receive latency of stamped messages
/// received, when there are any (its requests and replies: those messages).
std::vector<CommandRow> with_delivery(std::vector<CommandRow> rows, const Recorder& now,
                                      const Recorder* before);

}  // namespace swarm::stats
