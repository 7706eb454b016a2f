#include "plan/yaml_value.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <limits>
#include <unordered_map>
#include <utility>

namespace swarm::plan {
namespace {

constexpr std::size_t max_described_chars = 40;

bool one_of(std::string_view text, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), text) != words.end();
}

bool all_of(std::string_view text, bool (*pred)(char)) {
  return !text.empty() && std::all_of(text.begin(), text.end(), pred);
}

bool is_dec(char c) {
  return c >= '0' && c <= '9';
}
bool is_oct(char c) {
  return c >= '0' && c <= '7';
}
bool is_hex(char c) {
  return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A Value built in place: with -fsanitize, GCC 12 warns (wrongly) that
// moving a temporary Value's variant into an optional reads uninitialized
// members.
template <typename T>
std::optional<Value> make_value(T value) {
  std::optional<Value> result(std::in_place);
  result->data.emplace<T>(std::move(value));
  return result;
}

// `text` as an integer in `base`; nullopt when it does not fit.
std::optional<Value> integer(std::string_view text, int base, bool negative) {
  std::uint64_t magnitude = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), magnitude, base);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (magnitude > max + (negative ? 1 : 0)) return std::nullopt;
  const auto value =
      negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
  return make_value(value);
}

// The core schema's float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float(std::string_view text) {
  std::size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && is_dec(text[i])) ++i;
    return i - start;
  };
  const std::size_t whole = digits();
  std::size_t fraction = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    fraction = digits();
  }
  if (whole == 0 && fraction == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == text.size();
}

// nullopt also when the value is beyond double's range: a typo more likely
// than an intended infinity, which YAML spells `.inf`.
std::optional<Value> real(std::string_view text) {
  if (text[0] == '+') text.remove_prefix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return make_value(value);
}

// A number by the core schema's rules, or nullopt when `text` is one that
// does not fit; `text` is not empty.
std::optional<std::optional<Value>> number(std::string_view text) {
  const bool negative = text[0] == '-';
  const std::string_view digits = (negative || text[0] == '+') ? text.substr(1) : text;
  if (all_of(digits, is_dec)) return integer(digits, 10, negative);
  if (text.starts_with("0x") && all_of(text.substr(2), is_hex)) {
    return integer(text.substr(2), 16, false);
  }
  if (text.starts_with("0o") && all_of(text.substr(2), is_oct)) {
    return integer(text.substr(2), 8, false);
  }
  if (is_float(text)) return real(text);
  return std::nullopt;  // not a number at all
}

}  // namespace

SourceLocation location_of(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return {};
  return {mark.line + 1, mark.column + 1};
}

SourceLocation location_of(const YAML::Node& node, SourceLocation fallback) {
  if (!node.IsDefined() || node.IsNull()) return fallback;
  const SourceLocation where = location_of(node.Mark());
  return where.line > 0 ? where : fallback;
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsSequence()) return node.size() == 0 ? "an empty list" : "a list";
  if (node.IsMap()) return node.size() == 0 ? "an empty map" : "a map";
  const std::string& text = node.Scalar();
  // Control bytes are shown escaped: a message must not drive the terminal.
  std::string shown;
  for (const char c : std::string_view(text).substr(0, max_described_chars)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      shown += fmt::format("\\x{:02x}", byte);
    } else {
      shown += c;
    }
  }
  return "'" + shown + (text.size() <= max_described_chars ? "'" : "...'");
}

std::optional<Value> resolve_plain_scalar(std::string_view text) {
  if (one_of(text, {"", "~", "null", "Null", "NULL"})) return make_value(std::monostate{});
  if (one_of(text, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) {
    return make_value(true);
  }
  if (one_of(text, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) {
    return make_value(false);
  }
  if (one_of(text, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) {
    return make_value(std::numeric_limits<double>::infinity());
  }
  if (one_of(text, {"-.inf", "-.Inf", "-.INF"})) {
    return make_value(-std::numeric_limits<double>::infinity());
  }
  if (one_of(text, {".nan", ".NaN", ".NAN"}))
    return make_value(std::numeric_limits<double>::quiet_NaN());
  if (auto value = number(text)) return *value;
  return make_value(std::string(text));
}

namespace {

Value scalar_value(const YAML::Node& node, const std::string& what, SourceLocation where,
                   std::vector<Problem>& problems) {
  // yaml-cpp tags plain scalars "?" and quoted ones "!"; any explicit tag
  // (`!!str 5`) keeps the text as written.
  if (node.Tag() != "?") return Value{node.Scalar()};
  if (auto value = resolve_plain_scalar(node.Scalar())) return std::move(*value);
  problems.push_back({where, fmt::format("{}: number out of range, got {}", what, describe(node))});
  return Value{node.Scalar()};
}

Value list_value(const YAML::Node& node, const std::string& what, SourceLocation where,
                 std::vector<Problem>& problems) {
  List list;
  list.reserve(node.size());
  for (std::size_t i = 0; i < node.size(); ++i) {
    list.push_back(to_value(node[i], fmt::format("{}[{}]", what, i + 1), where, problems));
  }
  return Value{std::move(list)};
}

Value map_value(const YAML::Node& node, const std::string& what, SourceLocation where,
                std::vector<Problem>& problems) {
  Map map;
  map.reserve(node.size());
  std::unordered_map<std::string, SourceLocation> seen;  // key -> where first written
  for (const auto& entry : node) {
    const SourceLocation key_where = location_of(entry.first, where);
    if (!entry.first.IsScalar()) {
      problems.push_back({key_where, fmt::format("{}: a key must be a plain name, got {}", what,
                                                 describe(entry.first))});
      continue;
    }
    const std::string& key = entry.first.Scalar();
    if (const auto [first, fresh] = seen.emplace(key, key_where); !fresh) {
      problems.push_back({key_where, fmt::format("{}: duplicate key '{}' (first at {}:{})", what,
                                                 key, first->second.line, first->second.column)});
      continue;
    }
    map.emplace_back(key, to_value(entry.second, what + "." + key, key_where, problems));
  }
  return Value{std::move(map)};
}

}  // namespace

Value to_value(const YAML::Node& node, const std::string& what, SourceLocation fallback,
               std::vector<Problem>& problems) {
  const SourceLocation where = location_of(node, fallback);
  Value value;
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      value = scalar_value(node, what, where, problems);
      break;
    case YAML::NodeType::Sequence:
      value = list_value(node, what, where, problems);
      break;
    case YAML::NodeType::Map:
      value = map_value(node, what, where, problems);
      break;
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  value.where = where;  // kept for messages about this value (a protocol's arg check)
  return value;
}

}  // namespace swarm::plan
