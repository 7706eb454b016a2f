// The plan: a parsed, validated YAML script. Every connection runs its
// actions in order, over and over.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "plan/value.hpp"
#include "stats/threshold.hpp"

namespace swarm::plan {

/// A count written as `N` or `[lo, hi]`; drawn uniformly, both ends included.
struct CountRange {
  std::int64_t lo = 1;  // smallest value, >= 0
  std::int64_t hi = 1;  // largest value, >= lo
};

/// A duration written as `N`, `1.5`, `250ms`, `2s`, `1m` or a `[lo, hi]` pair
/// of those; drawn uniformly, both ends included.
struct DurationRange {
  std::chrono::nanoseconds lo{std::chrono::seconds(1)};  // shortest, >= 0
  std::chrono::nanoseconds hi{std::chrono::seconds(1)};  // longest, >= lo
  bool whole_seconds = true;  // both ends written as whole seconds: draw whole
                              // seconds, as the original did
};

/// One step of the plan.
struct Action {
  std::string command;                 // the module's function to call
  Value args;                          // `args` as written (a Map; default {})
  CountRange rounds;                   // calls per iteration
  DurationRange sleep_between_rounds;  // after each call
  DurationRange sleep_after_action;    // after the last round
  SourceLocation where;                // the `command` value (the action if none)
  SourceLocation args_where;           // the `args` key, or `where` if absent
};

/// A threshold written in the plan's `thresholds:` list.
struct PlanThreshold {
  stats::Threshold threshold;  // parsed and checked against the plan's commands
  SourceLocation where;        // the expression's first character
};

/// The whole script.
struct Plan {
  std::string path;                       // the file it came from, for messages
  std::string protocol;                   // the protocol module's name
  SourceLocation protocol_where;          // where the name is written
  Value on_connect;                       // `on_connect` as written: the protocol's settings
                                          // for each new connection (a Map), or null
  std::vector<Action> actions;            // in file order, at least one
  std::vector<PlanThreshold> thresholds;  // `thresholds:`, in file order (may be empty)
  double rate = 0;                        // `rate:` calls per second, all connections
                                          // together (rate mode); 0 = none
  SourceLocation rate_where;              // where the rate is written
};

}  // namespace swarm::plan
