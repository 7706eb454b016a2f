// A plan's `thresholds:` list: each entry a threshold string
// ("p99(get) < 5ms; abort; warmup=10s") or a map {expr, abort, warmup}.
// Internal to the plan layer.
#pragma once

#include <yaml-cpp/yaml.h>

#include <vector>

#include "plan/plan.hpp"
#include "plan/plan_error.hpp"

namespace swarm::plan {

/// The entries of `node` (the value of `thresholds:`, whose key is at
/// `key_where`), each parsed and checked against the plan's `actions`;
/// problems (with the column inside the expression) go to `problems`.
std::vector<PlanThreshold> parse_thresholds(const YAML::Node& node, SourceLocation key_where,
                                            const std::vector<Action>& actions,
                                            std::vector<Problem>& problems);

}  // namespace swarm::plan
