// CommandTable: the commands a module offers and the args each takes, and
// the one check of a plan action against them. Lua, native and built-in
// modules describe their commands here, so a plan mistake reads the same
// whatever the module is written in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/plan.hpp"
#include "plan/plan_error.hpp"

namespace swarm::protocol {

/// The kind of value an arg takes. Lua and native modules declare names
/// only (any); built-in protocols declare types.
enum class ArgType : std::uint8_t {
  any,        // whatever the plan gives
  text,       // a scalar (string, number or bool), used as text
  integer,    // a whole number
  number,     // a number, whole or not
  boolean,    // true or false
  list,       // a sequence
  map,        // a mapping
  text_list,  // a sequence of scalars, each used as text
};

/// One arg a command takes.
struct ArgSpec {
  std::string name;             // as written in the plan's `args`
  ArgType type = ArgType::any;  // what its value must be
  bool required = false;        // the plan must give it
  std::string help{};           // one line for listings (`swarm --protocols`); may be empty
};

/// One command a module offers.
struct CommandSpec {
  std::string name;                          // as written in `command:`
  std::optional<std::vector<ArgSpec>> args;  // the args it takes; nothing:
                                             // any (the module did not say)
  std::string help{};                        // one line for listings; may be empty
};

class CommandTable {
 public:
  CommandTable() = default;
  /// Throws std::invalid_argument when two commands share a name.
  explicit CommandTable(std::vector<CommandSpec> commands);

  /// The command called `name`, or null.
  const CommandSpec* find(std::string_view name) const noexcept;
  /// The command names, sorted.
  std::vector<std::string> names() const;
  /// Every command, sorted by name.
  const std::vector<CommandSpec>& all() const noexcept { return commands_; }
  bool empty() const noexcept { return commands_.empty(); }

  /// Why `action` cannot run on module `module`: an unknown command (with
  /// the list of commands), args that are not a map, an arg the command
  /// does not take (with the ones it takes), a value of the wrong type, a
  /// required arg missing. Nothing when it can run. The problem is placed
  /// at the value that is wrong when it has a place, else nowhere (line 0:
  /// the caller puts it at the action).
  std::optional<plan::Problem> check(std::string_view module, const plan::Action& action) const;

  /// The same check of `args` against `command`'s args (also for settings
  /// such as a protocol's `on_connect`, described as a CommandSpec).
  static std::optional<plan::Problem> check_args(const CommandSpec& command,
                                                 const plan::Value& args);

 private:
  std::vector<CommandSpec> commands_;  // sorted by name
};

/// "a whole number", "text", ...: how messages name an ArgType.
const char* describe(ArgType type) noexcept;
/// Whether `value` is acceptable for an arg of `type`.
bool fits(const plan::Value& value, ArgType type) noexcept;
/// "key (text, required): the key", "ex (a whole number)": an arg as
/// listings show it.
std::string describe(const ArgSpec& arg);

}  // namespace swarm::protocol
