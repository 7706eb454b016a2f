// The numeric fields of an action: `rounds` and the two sleeps, each a single
// value or a `[lo, hi]` range. Internal to the plan layer.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "plan/plan.hpp"
#include "plan/plan_error.hpp"

namespace swarm::plan {

/// The most rounds an action may draw per iteration: more is a typo (at
/// 100 000 requests a second, 1e15 rounds take 300 years).
inline constexpr std::int64_t kMaxRounds = 1'000'000'000'000'000;

/// The longest sleep a plan may ask for: 365 days. Longer is a typo (`1e9`
/// seconds is 31 years); an idle connection is held with a long sleep such
/// as `1h`, repeated.
inline constexpr std::chrono::nanoseconds kMaxSleep = std::chrono::hours(24 * 365);

/// Where a field's problems go, and how the field is named in them.
struct FieldContext {
  std::string_view key;            // the field's key, starts every message
  SourceLocation key_where;        // the key's place, for values left empty
  std::vector<Problem>* problems;  // where problems are added
};

/// `N` or `[lo, hi]`, whole numbers >= 0 and <= kMaxRounds with lo <= hi,
/// in any YAML number notation (`1e6` is 1000000); nullopt after adding a
/// problem.
std::optional<CountRange> parse_count_range(const YAML::Node& node, const FieldContext& field);

/// A duration (`2`, `1.5`, `250ms`, seconds as `1e3`) up to kMaxSleep, or
/// `[lo, hi]` of those with lo <= hi; whole_seconds when both ends are bare whole numbers. nullopt
/// after adding a problem.
std::optional<DurationRange> parse_duration_range(const YAML::Node& node,
                                                  const FieldContext& field);

}  // namespace swarm::plan
