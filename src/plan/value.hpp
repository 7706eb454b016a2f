// A YAML value copied out of the parse tree: an action's `args`, handed to
// the protocol module, which turns it into its own representation (a Lua
// table for Lua modules).
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace swarm::plan {

/// Where something was written in the script (1-based, as editors count).
struct SourceLocation {
  int line = 0;    // 1-based line; 0: unknown
  int column = 0;  // 1-based column
};

struct Value;

/// A YAML sequence.
using List = std::vector<Value>;
/// A YAML mapping, in file order (keys are scalars, kept as written).
using Map = std::vector<std::pair<std::string, Value>>;

/// One YAML node: null, bool, integer, real, string, sequence or mapping.
struct Value {
  using Data = std::variant<std::monostate, bool, std::int64_t, double, std::string, List, Map>;
  Data data;               // the node
  SourceLocation where{};  // where it was written (for messages about it); 0 when made in code

  Value() = default;
  /// A node holding `value` (one of Data's alternatives).
  template <typename T>
  requires std::is_constructible_v<Data, T&&> &&
      (!std::is_same_v<std::decay_t<T>, Value>)Value(T&& value)
      : data(std::forward<T>(value)) {}  // NOLINT: implicit, as the variant's
  /// A node holding `value`, written at `at`.
  template <typename T>
  requires std::is_constructible_v<Data, T&&> Value(T&& value, SourceLocation at)
      : data(std::forward<T>(value)), where(at) {}
  // The special members are declared here and defaulted once Value is
  // complete: clang (the fuzz build) would otherwise look into
  // std::pair<std::string, Value> while Value is still incomplete.
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  bool is_null() const;
  const Map* as_map() const;
  const List* as_list() const;
};

inline Value::Value(const Value&) = default;
inline Value::Value(Value&&) noexcept = default;
inline Value& Value::operator=(const Value&) = default;
inline Value& Value::operator=(Value&&) noexcept = default;
inline Value::~Value() = default;

inline bool Value::is_null() const {
  return std::holds_alternative<std::monostate>(data);
}
inline const Map* Value::as_map() const {
  return std::get_if<Map>(&data);
}
inline const List* Value::as_list() const {
  return std::get_if<List>(&data);
}

}  // namespace swarm::plan
