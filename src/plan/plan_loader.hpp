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
/// nullopt when it is fine.
using ActionCheck = std::function<std::optional<std::string>(const Action&)>;

/// Calls `check` on every action, in order, and throws PlanError listing each
/// problem at its action's place (Action::where), one per line.
void validate_plan(const Plan& plan, const ActionCheck& check);

}  // namespace swarm::plan
