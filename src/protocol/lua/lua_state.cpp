#include "protocol/lua/lua_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "protocol/lua/lua_parsers.hpp"

namespace swarm::protocol {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error(
        fmt::format("protocol module {}: cannot read: {}", path, std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

/// Makes `require("swarm")` return the built-in library, whatever
/// package.path says.
void preload_swarm(lua_State* state) {
  lua_getglobal(state, "package");
  lua_getfield(state, -1, "preload");
  lua_pushcfunction(state, open_swarm_library);
  lua_setfield(state, -2, "swarm");
  lua_pop(state, 2);
}

/// Runs the module chunk at the top of the stack; leaves its table.
void run_chunk(lua_State* state, const std::string& path) {
  int status = 0;
  {
    LuaGuard::Call call(state, LuaGuard::of(state).limits().load_time);
    status = lua_pcall(state, 0, 1, 0);
  }
  if (status == LUA_ERRMEM) {
    throw std::runtime_error(
        fmt::format("protocol module {}: {}", path, LuaGuard::of(state).memory_message()));
  }
  if (status != 0) {
    throw std::runtime_error(
        fmt::format("protocol module {}: {}", path, lua_error_text(state, -1)));
  }
  if (!lua_istable(state, -1)) {
    throw std::runtime_error(
        fmt::format("protocol module {}: the file must return a table of commands, not {}", path,
                    luaL_typename(state, -1)));
  }
}

}  // namespace

void LuaStateCloser::operator()(lua_State* state) const noexcept {
  LuaGuard* guard = &LuaGuard::of(state);
  lua_close(state);
  delete guard;
}

LuaStatePtr open_module_state(const std::string& path, const LuaLimits& limits) {
  std::string code = read_file(path);
  auto guard = std::make_unique<LuaGuard>(limits);
  // LuaJIT 2.1 takes a custom allocator in its 64-bit GC64 builds (Debian's).
  LuaStatePtr state(lua_newstate(LuaGuard::allocate, guard.get()));
  if (!state) throw std::runtime_error("cannot create a Lua state with a memory limit");
  guard.release();  // the state owns it now: LuaStateCloser frees it
  lua_State* lua = state.get();
  luaL_openlibs(lua);
  LuaGuard::of(lua).watch(lua);
  preload_swarm(lua);
  std::string chunk_name = "@" + std::filesystem::path(path).filename().string();
  if (luaL_loadbuffer(lua, code.data(), code.size(), chunk_name.c_str()) != 0) {
    throw std::runtime_error(fmt::format("protocol module {}: {}", path, lua_error_text(lua, -1)));
  }
  run_chunk(lua, path);
  return state;
}

std::string lua_error_text(lua_State* state, int index) {
  std::string text;
  if (const char* message = lua_tostring(state, index)) {
    text = message;
  } else {
    text = fmt::format("(error object is a {} value)", luaL_typename(state, index));
  }
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

void push_plan_value(lua_State* state, const plan::Value& value) {
  std::visit(
      [state](const auto& data) {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          lua_pushnil(state);
        } else if constexpr (std::is_same_v<T, bool>) {
          lua_pushboolean(state, data ? 1 : 0);
        } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          lua_pushnumber(state, static_cast<lua_Number>(data));
        } else if constexpr (std::is_same_v<T, std::string>) {
          lua_pushlstring(state, data.data(), data.size());
        } else if constexpr (std::is_same_v<T, plan::List>) {
          lua_createtable(state, static_cast<int>(data.size()), 0);
          for (std::size_t i = 0; i < data.size(); ++i) {
            push_plan_value(state, data[i]);
            lua_rawseti(state, -2, static_cast<int>(i + 1));
          }
        } else {
          lua_createtable(state, 0, static_cast<int>(data.size()));
          for (const auto& [key, item] : data) {
            lua_pushlstring(state, key.data(), key.size());
            push_plan_value(state, item);
            lua_rawset(state, -3);
          }
        }
      },
      value.data);
}

}  // namespace swarm::protocol
