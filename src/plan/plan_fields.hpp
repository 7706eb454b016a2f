// The numeric fields of an action: `rounds` and the two sleeps, each a single
// value or a `[lo, hi]` range. Internal to the plan layer.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string_view>
#include <vector>

#include "plan/plan.hpp"
#include "plan/plan_error.hpp"

namespace swarm::plan {

/// Where a field's problems go, and how the field is named in them.
struct FieldContext {
  std::string_view key;            // the field's key, starts every message
  SourceLocation key_where;        // the key's place, for values left empty
  std::vector<Problem>* problems;  // where problems are added
};

/// `N` or `[lo, hi]`, whole numbers >= 0 with lo <= hi; nullopt after adding
/// a problem.
std::optional<CountRange> parse_count_range(const YAML::Node& node, const FieldContext& field);

/// A duration (`2`, `1.5`, `250ms`) or `[lo, hi]` of those with lo <= hi;
/// whole_seconds when both ends are bare whole numbers. nullopt after adding
/// a problem.
std::optional<DurationRange> parse_duration_range(const YAML::Node& node,
                                                  const FieldContext& field);

}  // namespace swarm::plan
