// ArgReader: a built-in command's args (or on_connect settings), already
// checked against its table (known names, right types), read by name when
// the action is bound. What the table cannot say (a number out of range, a
// bad substitution) is a BindError, placed at the value.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "plan/value.hpp"

namespace swarm::protocol::builtin {

/// Why an action's args cannot be bound, and where.
class BindError : public std::runtime_error {
 public:
  BindError(plan::SourceLocation where, const std::string& message)
      : std::runtime_error(message), where_(where) {}
  /// The value that is wrong (line 0: the action as a whole).
  plan::SourceLocation where() const noexcept { return where_; }

 private:
  plan::SourceLocation where_;  // the offending value
};

class ArgReader {
 public:
  /// `args` is the action's `args` (a map, or null for none); `command`
  /// names it in messages.
  ArgReader(std::string_view command, const plan::Value& args);

  /// Whether the args were given at all (a map, even an empty one).
  bool given() const { return args_.as_map() != nullptr; }
  /// The value of arg `name`, or null.
  const plan::Value* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  /// A scalar arg as text ("12", "true", "abc"), or nothing when absent.
  std::optional<std::string> text(std::string_view name) const;
  /// A whole-number arg within [lo, hi], `fallback` when absent. Throws
  /// BindError when out of range.
  std::int64_t integer(std::string_view name, std::int64_t lo, std::int64_t hi,
                       std::int64_t fallback) const;
  /// A true/false arg, `fallback` when absent.
  bool boolean(std::string_view name, bool fallback) const;
  /// Where arg `name` is written (the args as a whole when absent).
  plan::SourceLocation where(std::string_view name) const;
  /// The command, for messages.
  const std::string& command() const noexcept { return command_; }
  /// The args as given (null when the plan gives none).
  const plan::Value& value() const noexcept { return args_; }
  /// "command 'set' arg 'key'" (or "on_connect setting 'hello'"): how
  /// messages name arg `name`.
  std::string what(std::string_view name) const;
  /// Throws a BindError at arg `name`: "command 'set' arg 'ex': MESSAGE".
  [[noreturn]] void fail(std::string_view name, std::string_view message) const;

 private:
  std::string command_;      // for messages
  const plan::Value& args_;  // the action's args
};

/// A scalar as text: strings as written, numbers in decimal, booleans as
/// true/false.
std::string scalar_text(const plan::Value& value);

}  // namespace swarm::protocol::builtin
