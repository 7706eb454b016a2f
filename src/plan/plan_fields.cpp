#include "plan/plan_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
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

// What parsing one scalar gave: a value, or no value and either a specific
// problem or (empty) the field's usual "expected ..." message.
template <typename T>
struct Parsed {
  std::optional<T> value;  // set when the text was fine
  std::string problem;     // why not, when more can be said than "expected ..."
};

// One end of a range, or the single value: a scalar parsed by `parse`.
template <typename T, typename Parse>
std::optional<T> parse_one(const YAML::Node& node, const FieldContext& field,
                           std::string_view expected, Parse parse) {
  const SourceLocation where = location_of(node, field.key_where);
  Parsed<T> parsed;
  if (node.IsScalar()) parsed = parse(node.Scalar());
  if (parsed.value) return parsed.value;
  add(field, where,
      parsed.problem.empty() ? fmt::format("expected {}, got {}", expected, describe(node))
                             : parsed.problem);
  return std::nullopt;
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

// `text` as a number by YAML's rules (`1e12`, `2.5`), when it is a finite
// one >= 0; nullopt otherwise.
std::optional<double> plain_number(const std::string& text) {
  const auto value = resolve_plain_scalar(text);
  if (!value) return std::nullopt;
  if (const auto* whole = std::get_if<std::int64_t>(&value->data)) {
    return *whole >= 0 ? std::optional<double>(static_cast<double>(*whole)) : std::nullopt;
  }
  const auto* real = std::get_if<double>(&value->data);
  if (real == nullptr || !std::isfinite(*real) || *real < 0) return std::nullopt;
  return *real;
}

std::string too_many_rounds(const std::string& text) {
  return fmt::format("at most {} (1e15) per iteration, got '{}'", kMaxRounds, text);
}

// Digits, or a number in any YAML notation that is whole (`1e12`).
Parsed<std::int64_t> parse_count(const std::string& text) {
  if (is_whole_number(text)) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range || value > kMaxRounds) {
      return {std::nullopt, too_many_rounds(text)};
    }
    if (error != std::errc() || end != text.data() + text.size()) return {};
    return {value, {}};
  }
  const auto number = plain_number(text);
  if (!number || std::floor(*number) != *number) return {};
  if (*number > static_cast<double>(kMaxRounds)) return {std::nullopt, too_many_rounds(text)};
  return {static_cast<std::int64_t>(*number), {}};
}

// A duration, and whether it was written as a bare whole number of seconds.
struct WrittenDuration {
  std::chrono::nanoseconds value;  // the duration
  bool whole_seconds = false;      // written as `N`, no fraction, no unit

  bool operator<(const WrittenDuration& other) const { return value < other.value; }
};

std::string too_long(const std::string& text) {
  return fmt::format("at most {} (a year), got '{}'", format_duration(kMaxSleep), text);
}

// `250ms`, `1.5`, or seconds in any YAML number notation (`1e3`), up to
// kMaxSleep.
Parsed<WrittenDuration> parse_written_duration(const std::string& text) {
  auto value = parse_duration(text);
  if (!value) {
    const auto seconds = plain_number(text);
    if (!seconds) return {};
    if (*seconds > static_cast<double>(kMaxSleep / std::chrono::seconds(1))) {
      return {std::nullopt, too_long(text)};
    }
    value = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::duration<double>(*seconds));
  }
  if (*value > kMaxSleep) return {std::nullopt, too_long(text)};
  return {WrittenDuration{*value, is_whole_number(text)}, {}};
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
