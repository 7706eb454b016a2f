// Limits on what a YAML script may cost to load, checked before yaml-cpp
// builds its tree: a small file whose aliases expand to billions of nodes (an
// "alias bomb"), or nesting deep enough to exhaust the stack, is refused with
// its place instead of eating memory and time. Internal to the plan layer.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "plan/plan_error.hpp"

namespace swarm::plan {

/// The largest script read, in bytes. A 40 000-action plan is about 2 MB.
inline constexpr std::size_t kMaxPlanBytes = 8 << 20;
/// The most nodes a script may hold once every alias is expanded (each
/// alias counts the whole subtree it stands for). A 40 000-action plan
/// holds 120 000 to 400 000; loading 500 000 takes about 1 s and 250 MB
/// (yaml-cpp keeps ~500 bytes per node).
inline constexpr std::size_t kMaxPlanNodes = 500'000;
/// The deepest nesting of lists and maps (a plan itself needs 3; args a few).
inline constexpr std::size_t kMaxPlanDepth = 64;

/// The first limit `yaml_text` passes, with its place, or nullopt. Throws
/// YAML::Exception for a syntax error met on the way.
std::optional<Problem> find_yaml_limit_problem(std::string_view yaml_text);

}  // namespace swarm::plan
