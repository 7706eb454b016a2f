// YAML nodes into plan values and positions. Internal to the plan layer: the
// rest of swarm never sees yaml-cpp.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/plan.hpp"
#include "plan/plan_error.hpp"
#include "plan/value.hpp"

namespace swarm::plan {

/// A yaml-cpp mark (0-based) as a 1-based location; {0, 0} when unknown.
SourceLocation location_of(const YAML::Mark& mark);

/// Where `node` was written; `fallback` (its key's place) for a null node,
/// whose mark yaml-cpp puts at the next token when the value is left empty.
SourceLocation location_of(const YAML::Node& node, SourceLocation fallback);

/// A short description for "got ..." messages: `'abc'`, `a list`, `a map`,
/// `nothing`.
std::string describe(const YAML::Node& node);

/// The value of an unquoted, untagged scalar, by the YAML 1.2 core schema
/// (null, true/false, decimal/0x/0o integers, floats, .inf, .nan), plus
/// yes/no/on/off as booleans as the original's PyYAML read them. nullopt for
/// an integer that does not fit in 64 bits.
std::optional<Value> resolve_plain_scalar(std::string_view text);

/// A whole YAML tree as a Value; quoted or `!!str` scalars stay strings. `what`
/// names the tree in messages (`args`, then `args.uid`, `args.list[2]`).
/// Problems (non-scalar keys, huge integers) are added to `problems`.
Value to_value(const YAML::Node& node, const std::string& what, SourceLocation fallback,
               std::vector<Problem>& problems);

}  // namespace swarm::plan
