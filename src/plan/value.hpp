// A YAML value copied out of the parse tree: an action's `args`, handed to
// the protocol module, which turns it into its own representation (a Lua
// table for Lua modules).
#pragma once

#include <cstdint>
#include <string>
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
  std::variant<std::monostate, bool, std::int64_t, double, std::string, List, Map> data;
  SourceLocation where{};  // where it was written (for messages about it); 0 when made in code

  bool is_null() const { return std::holds_alternative<std::monostate>(data); }
  const Map* as_map() const { return std::get_if<Map>(&data); }
  const List* as_list() const { return std::get_if<List>(&data); }
};

}  // namespace swarm::plan
