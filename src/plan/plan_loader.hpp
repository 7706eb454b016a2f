// Reading a plan from its YAML script, and checking it against a module.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "plan/plan.hpp"
#include "plan/plan_error.hpp"

namespace swarm::plan {

/// Reads and parses the script at `path`. Throws PlanError naming the file,
/// line and column of every problem found (`PATH: cannot read: ...` when the
/// file cannot be read).
Plan load_plan(const std::string& path);

/// Parses a script already in memory; `path_for_messages` names it in errors
/// and becomes Plan::path. Throws PlanError listing every problem found.
Plan parse_plan(std::string_view yaml_text, const std::string& path_for_messages);

/// What is wrong with an action (e.g. its command is not in the module), or
/// nullopt when it is fine. A problem without a place (line 0) is put at
/// the action's command; one with a place (a bad arg's value) stays there.
using ActionCheck = std::function<std::optional<Problem>(const Action&)>;

/// What is wrong with the plan's `on_connect` settings (null when the plan
/// has none), or nullopt. A problem without a place is put at `on_connect`.
using ConnectCheck = std::function<std::optional<Problem>(const Value& on_connect)>;

/// Calls `check_connect` (when given) on the plan's `on_connect`, then
/// `check` on every action, in order, and throws PlanError listing each
/// problem at its place, one per line.
void validate_plan(const Plan& plan, const ActionCheck& check,
                   const ConnectCheck& check_connect = nullptr);

}  // namespace swarm::plan
