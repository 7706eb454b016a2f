// Finding a protocol module by name: a file in --protocol-dir, else a
// protocol built into swarm.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "protocol/builtin/registry.hpp"
#include "protocol/lua/lua_guard.hpp"
#include "protocol/module.hpp"

namespace swarm::protocol {

/// Loads exactly `dir/name.lua` or `dir/name.so` (never through
/// package.path, so a same-named module elsewhere cannot win); when neither
/// exists (or `dir` is empty), the built-in protocol of that name from
/// `builtins`. A Lua module's states run under `lua_limits`. When a file
/// wins over a built-in of the same name, `*notice` (if given) says so in
/// one line. Throws std::runtime_error with a message that says what was
/// looked for and what is wrong.
std::unique_ptr<Module> load_module(const std::string& dir, const std::string& name,
                                    std::span<const BuiltinProtocol> builtins = builtin_protocols(),
                                    const LuaLimits& lua_limits = {},
                                    std::string* notice = nullptr);

}  // namespace swarm::protocol
