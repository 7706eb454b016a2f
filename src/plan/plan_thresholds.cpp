#include "plan/plan_thresholds.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>
#include <string>

#include "plan/duration.hpp"
#include "plan/yaml_value.hpp"

namespace swarm::plan {
namespace {

constexpr std::string_view kExpected =
    "a threshold such as \"p99(get) < 5ms\" or {expr: \"p99(get) < 5ms\", abort: true, "
    "warmup: 10s}";

/// Where column `column` (1-based, in the scalar's text) of `node` is in the
/// file: past the opening quote of a quoted scalar.
SourceLocation column_in(const YAML::Node& node, SourceLocation where, std::size_t column) {
  const bool quoted = node.Tag() == "!";
  return {where.line, where.column + static_cast<int>(column) - 1 + (quoted ? 1 : 0)};
}

/// The plan's command names, in action order.
std::vector<std::string> commands_of(const std::vector<Action>& actions) {
  std::vector<std::string> names;
  for (const auto& action : actions) names.push_back(action.command);
  return names;
}

/// Parses and checks the expression in `node`; nullopt after a problem.
std::optional<stats::Threshold> parse_expression(const YAML::Node& node, SourceLocation where,
                                                 const std::vector<std::string>& commands,
                                                 std::vector<Problem>& problems) {
  if (!node.IsScalar()) {
    problems.push_back(
        {where, fmt::format("thresholds: expected {}, got {}", kExpected, describe(node))});
    return std::nullopt;
  }
  stats::ThresholdParse parsed = stats::parse_threshold(node.Scalar());
  std::optional<stats::ThresholdError> error;
  if (!parsed.threshold) {
    error = parsed.error;
  } else {
    error = stats::check_threshold(*parsed.threshold, commands);
  }
  if (error) {
    problems.push_back({column_in(node, where, error->column),
                        fmt::format("thresholds: {} in \"{}\"", error->message, node.Scalar())});
    return std::nullopt;
  }
  return parsed.threshold;
}

/// The map form: {expr: "...", abort: true, warmup: 10s}.
std::optional<PlanThreshold> parse_map_entry(const YAML::Node& node, SourceLocation where,
                                             const std::vector<std::string>& commands,
                                             std::vector<Problem>& problems) {
  // A default YAML::Node is a defined null: optionals tell "absent" apart.
  std::optional<YAML::Node> expr;
  std::optional<YAML::Node> abort;
  std::optional<YAML::Node> warmup;
  for (const auto& item : node) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : describe(item.first);
    const SourceLocation key_where = location_of(item.first, where);
    if (key == "expr") {
      expr = item.second;
    } else if (key == "abort") {
      abort = item.second;
    } else if (key == "warmup") {
      warmup = item.second;
    } else {
      problems.push_back({key_where, fmt::format("thresholds: unknown key '{}' (expected expr, "
                                                 "abort or warmup)",
                                                 key)});
      return std::nullopt;
    }
  }
  if (!expr) {
    problems.push_back({where, "thresholds: missing 'expr' (the threshold, e.g. p99(get) < 5ms)"});
    return std::nullopt;
  }
  const SourceLocation expr_where = location_of(*expr, where);
  auto threshold = parse_expression(*expr, expr_where, commands, problems);
  const SourceLocation first_character = column_in(*expr, expr_where, 1);
  if (!threshold) return std::nullopt;
  if (abort) {
    const auto value = abort->IsScalar() ? resolve_plain_scalar(abort->Scalar()) : std::nullopt;
    const bool* flag = value ? std::get_if<bool>(&value->data) : nullptr;
    if (flag == nullptr) {
      problems.push_back(
          {location_of(*abort, where),
           fmt::format("thresholds: abort: expected true or false, got {}", describe(*abort))});
      return std::nullopt;
    }
    threshold->abort = *flag;
  }
  if (warmup) {
    const auto duration = warmup->IsScalar() ? parse_duration(warmup->Scalar()) : std::nullopt;
    if (!duration) {
      problems.push_back({location_of(*warmup, where),
                          fmt::format("thresholds: warmup: expected a duration (10s, 500ms, 1m), "
                                      "got {}",
                                      describe(*warmup))});
      return std::nullopt;
    }
    threshold->warmup = *duration;
  }
  return PlanThreshold{std::move(*threshold), first_character};
}

}  // namespace

std::vector<PlanThreshold> parse_thresholds(const YAML::Node& node, SourceLocation key_where,
                                            const std::vector<Action>& actions,
                                            std::vector<Problem>& problems) {
  std::vector<PlanThreshold> out;
  if (node.IsNull()) return out;  // `thresholds:` left empty: none
  if (!node.IsSequence()) {
    problems.push_back(
        {location_of(node, key_where),
         fmt::format("thresholds: expected a list of thresholds, got {}", describe(node))});
    return out;
  }
  const std::vector<std::string> commands = commands_of(actions);
  for (const auto& entry : node) {
    const SourceLocation where = location_of(entry, key_where);
    if (entry.IsMap()) {
      if (auto threshold = parse_map_entry(entry, where, commands, problems)) {
        out.push_back(std::move(*threshold));
      }
    } else if (auto threshold = parse_expression(entry, where, commands, problems)) {
      out.push_back(PlanThreshold{std::move(*threshold), column_in(entry, where, 1)});
    }
  }
  return out;
}

}  // namespace swarm::plan
