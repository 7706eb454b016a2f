// Owning a LuaJIT state and loading a protocol module into it: the part of
// Lua handling that both LuaModule (once, to learn the commands) and each
// worker's LuaInstance (to run them) need.
#pragma once

#include <lua.hpp>
#include <memory>
#include <string>

#include "plan/value.hpp"
#include "protocol/lua/lua_guard.hpp"

namespace swarm::protocol {

/// Closes a lua_State made by open_module_state(), then frees its guard.
struct LuaStateCloser {
  void operator()(lua_State* state) const noexcept;
};
/// An owned lua_State.
using LuaStatePtr = std::unique_ptr<lua_State, LuaStateCloser>;

/// A new state guarded by `limits` (see LuaGuard), with the standard
/// libraries and `require("swarm")`, with the module at `path` loaded and its
/// table left on top of the stack. The chunk is named after the file's base
/// name, so errors read `durian.lua:5: ...`. Throws std::runtime_error naming
/// `path` (and Lua's file:line) on failure.
LuaStatePtr open_module_state(const std::string& path, const LuaLimits& limits);

/// The error value at `index` as one line of text (tables and nil too).
std::string lua_error_text(lua_State* state, int index);

/// Pushes a plan value: maps become tables with string keys, lists become
/// sequences, integers become numbers, null becomes nil.
void push_plan_value(lua_State* state, const plan::Value& value);

}  // namespace swarm::protocol
