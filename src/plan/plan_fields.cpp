#include "plan/plan_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "plan/duration.hpp"
#include "plan/yaml_value.hpp"

namespace swarm::plan {
namespace {

constexpr std::string_view count_expected = "a whole number >= 0";
constexpr std::string_view duration_expected =
    "a duration >= 0 (seconds as 2 or 1.5, or 250ms, 2s, 1m)";

bool is_whole_number(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void add(const FieldContext& field, SourceLocation where, std::string message) {
  field.problems->push_back({where, fmt::format("{}: {}", field.key, std::move(message))});
}

// One end of a range, or the single value: a scalar parsed by `parse`.
template <typename T, typename Parse>
std::optional<T> parse_one(const YAML::Node& node, const FieldContext& field,
                           std::string_view expected, Parse parse) {
  const SourceLocation where = location_of(node, field.key_where);
  std::optional<T> value;
  if (node.IsScalar()) value = parse(node.Scalar());
  if (!value) add(field, where, fmt::format("expected {}, got {}", expected, describe(node)));
  return value;
}

// `node` as a single value or a `[lo, hi]` pair of values, lo <= hi.
template <typename T, typename Parse>
std::optional<std::pair<T, T>> parse_range(const YAML::Node& node, const FieldContext& field,
                                           std::string_view expected, Parse parse) {
  const SourceLocation where = location_of(node, field.key_where);
  if (!node.IsSequence()) {
    const auto what = fmt::format("{} or [lo, hi]", expected);
    const auto value = parse_one<T>(node, field, what, parse);
    if (!value) return std::nullopt;
    return std::pair(*value, *value);
  }
  if (node.size() != 2) {
    add(field, where,
        fmt::format("a range needs exactly two values [lo, hi], got {}", node.size()));
    return std::nullopt;
  }
  const auto what = fmt::format("{} in [lo, hi]", expected);
  const auto lo = parse_one<T>(node[0], field, what, parse);
  const auto hi = parse_one<T>(node[1], field, what, parse);
  if (!lo || !hi) return std::nullopt;
  if (*hi < *lo) {
    add(field, where,
        fmt::format("lo must not be greater than hi, got [{}, {}]", node[0].Scalar(),
                    node[1].Scalar()));
    return std::nullopt;
  }
  return std::pair(*lo, *hi);
}

std::optional<std::int64_t> parse_count(const std::string& text) {
  std::int64_t value = 0;
  if (!is_whole_number(text)) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// A duration, and whether it was written as a bare whole number of seconds.
struct WrittenDuration {
  std::chrono::nanoseconds value;  // the duration
  bool whole_seconds = false;      // written as `N`, no fraction, no unit

  bool operator<(const WrittenDuration& other) const { return value < other.value; }
};

std::optional<WrittenDuration> parse_written_duration(const std::string& text) {
  const auto value = parse_duration(text);
  if (!value) return std::nullopt;
  return WrittenDuration{*value, is_whole_number(text)};
}

}  // namespace

std::optional<CountRange> parse_count_range(const YAML::Node& node, const FieldContext& field) {
  const auto range = parse_range<std::int64_t>(node, field, count_expected, parse_count);
  if (!range) return std::nullopt;
  return CountRange{range->first, range->second};
}

std::optional<DurationRange> parse_duration_range(const YAML::Node& node,
                                                  const FieldContext& field) {
  const auto range =
      parse_range<WrittenDuration>(node, field, duration_expected, parse_written_duration);
  if (!range) return std::nullopt;
  return DurationRange{range->first.value, range->second.value,
                       range->first.whole_seconds && range->second.whole_seconds};
}

}  // namespace swarm::plan
