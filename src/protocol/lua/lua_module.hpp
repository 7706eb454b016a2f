// A protocol module written in Lua: `DIR/NAME.lua` returns a table whose
// function-valued fields are the commands. An optional `_args` field maps a
// command name to the list of arg names it accepts, so that a typo in the
// plan is caught at load time.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "protocol/lua/lua_guard.hpp"
#include "protocol/module.hpp"

struct lua_State;

namespace swarm::protocol {

/// A Lua module, loaded once to learn its commands; each worker then runs it
/// in its own state (the file is loaded again there, so its top-level code
/// runs once per worker, like wrk's scripts).
class LuaModule final : public Module {
 public:
  /// Loads the module at `path` (exactly that file); it and every instance
  /// run under `limits`. Throws std::runtime_error naming the file, with
  /// Lua's file:line when Lua reported one.
  LuaModule(std::string name, std::string path, LuaLimits limits = {});

  const std::string& name() const override { return name_; }
  const CommandTable& commands() const override { return commands_; }
  std::unique_ptr<ModuleInstance> instantiate(const plan::Plan& plan) const override;

 private:
  /// Reads the commands and `_args` from the table at the top of `state`.
  CommandTable learn(lua_State* state) const;
  /// `_args`: command name -> the arg names it accepts.
  std::map<std::string, std::vector<std::string>> learn_args(
      lua_State* state, const std::vector<std::string>& commands) const;

  std::string name_;       // NAME
  std::string path_;       // DIR/NAME.lua
  LuaLimits limits_;       // for every state
  CommandTable commands_;  // its functions, with the args `_args` declares
};

}  // namespace swarm::protocol
