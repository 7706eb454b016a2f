#include "protocol/lua/lua_module.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "protocol/lua/lua_instance.hpp"
#include "protocol/lua/lua_push.hpp"
#include "protocol/lua/lua_state.hpp"

namespace swarm::protocol {
namespace {

std::string joined(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

/// The names in the list at the top of `state`, or why it is not a list.
std::vector<std::string> read_names(lua_State* state, const std::string& where) {
  if (!lua_istable(state, -1)) throw std::runtime_error(where + " must be a list of arg names");
  std::vector<std::string> names;
  auto count = static_cast<int>(lua_objlen(state, -1));
  for (int i = 1; i <= count; ++i) {
    lua_rawgeti(state, -1, i);
    if (lua_type(state, -1) != LUA_TSTRING) {
      throw std::runtime_error(where + " must be a list of arg names (strings)");
    }
    names.emplace_back(lua_tostring(state, -1));
    lua_pop(state, 1);
  }
  return names;
}

}  // namespace

LuaModule::LuaModule(std::string name, std::string path, LuaLimits limits)
    : name_(std::move(name)), path_(std::move(path)), limits_(limits) {
  LuaStatePtr state = open_module_state(path_, limits_);
  commands_ = learn(state.get());
}

CommandTable LuaModule::learn(lua_State* state) const {
  std::vector<std::string> names;
  lua_pushnil(state);
  while (lua_next(state, -2) != 0) {
    // on_push is a hook, not a command a plan may call.
    if (lua_type(state, -2) == LUA_TSTRING && lua_isfunction(state, -1) &&
        std::string_view(lua_tostring(state, -2)) != "on_push") {
      names.emplace_back(lua_tostring(state, -2));
    }
    lua_pop(state, 1);
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) {
    throw std::runtime_error(
        fmt::format("protocol module {}: the table it returns has no "
                    "functions, so it offers no commands",
                    path_));
  }
  if (std::string problem = push_declaration_problem(state); !problem.empty()) {
    throw std::runtime_error(fmt::format("protocol module {}: {}", path_, problem));
  }
  auto takes = learn_args(state, names);
  std::vector<CommandSpec> commands;
  for (std::string& name : names) {
    CommandSpec command{std::move(name), std::nullopt};
    if (auto declared = takes.find(command.name); declared != takes.end()) {
      command.args.emplace();
      for (std::string& arg : declared->second) command.args->push_back({std::move(arg)});
    }
    commands.push_back(std::move(command));
  }
  return CommandTable(std::move(commands));
}

std::map<std::string, std::vector<std::string>> LuaModule::learn_args(
    lua_State* state, const std::vector<std::string>& commands) const {
  std::map<std::string, std::vector<std::string>> takes;
  lua_getfield(state, -1, "_args");
  if (lua_isnil(state, -1)) return takes;
  std::string where = fmt::format("protocol module {}: _args", path_);
  if (!lua_istable(state, -1)) throw std::runtime_error(where + " must be a table");
  lua_pushnil(state);
  while (lua_next(state, -2) != 0) {
    const char* command = lua_type(state, -2) == LUA_TSTRING ? lua_tostring(state, -2) : nullptr;
    if (command == nullptr || !std::binary_search(commands.begin(), commands.end(), command)) {
      throw std::runtime_error(fmt::format("{} names '{}', which is not a command (has: {})", where,
                                           command ? command : "?", joined(commands)));
    }
    takes[command] = read_names(state, fmt::format("{}.{}", where, command));
    lua_pop(state, 1);
  }
  return takes;
}

std::unique_ptr<ModuleInstance> LuaModule::instantiate(const plan::Plan& plan) const {
  return std::make_unique<LuaInstance>(path_, plan, limits_);
}

}  // namespace swarm::protocol
