#include "protocol/lua/lua_function_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "protocol/lua/lua_guard.hpp"
#include "protocol/lua/lua_state.hpp"

namespace swarm::protocol {

namespace {
constexpr lua_Number kMaxAsk = 1 << 30;  // more is surely a bug in the script
}  // namespace

LuaFunctionParser::LuaFunctionParser(lua_State* main) : main_(main) {
  lua_pushboolean(main_, 0);
  slot_ = luaL_ref(main_, LUA_REGISTRYINDEX);
}

LuaFunctionParser::~LuaFunctionParser() {
  luaL_unref(main_, LUA_REGISTRYINDEX, slot_);
}

void LuaFunctionParser::use(lua_State* thread, int index) {
  lua_pushvalue(thread, index);
  lua_rawseti(thread, LUA_REGISTRYINDEX, slot_);
}

void LuaFunctionParser::forget() {
  lua_pushboolean(main_, 0);
  lua_rawseti(main_, LUA_REGISTRYINDEX, slot_);
}

void LuaFunctionParser::begin() {
  started_ = false;
  missing_ = 0;
  error_.clear();
}

bool LuaFunctionParser::call(std::string_view chunk, bool first) {
  int top = lua_gettop(main_);
  lua_rawgeti(main_, LUA_REGISTRYINDEX, slot_);
  if (!first) lua_pushlstring(main_, chunk.data(), chunk.size());
  int status = 0;
  {
    LuaGuard::Call guarded(main_, LuaGuard::of(main_).limits().call_time);
    status = lua_pcall(main_, first ? 0 : 1, 1, 0);
  }
  if (status == LUA_ERRMEM) {
    error_ = "reply parser: " + LuaGuard::of(main_).memory_message();
  } else if (status != 0) {
    error_ = "reply parser: " + lua_error_text(main_, -1);
  } else if (lua_type(main_, -1) != LUA_TNUMBER) {
    error_ = fmt::format("reply parser: returned a {} instead of a byte count",
                         luaL_typename(main_, -1));
  } else {
    lua_Number missing = lua_tonumber(main_, -1);
    if (std::isnan(missing)) {
      error_ = "reply parser: returned NaN instead of a byte count";
    } else if (missing > kMaxAsk) {
      error_ = fmt::format("reply parser: asks for {} bytes (at most {})", missing, kMaxAsk);
    } else {
      missing_ = missing <= 0 ? 0 : static_cast<std::size_t>(std::ceil(missing));
    }
  }
  lua_settop(main_, top);
  return error_.empty();
}

ReplyParser::Step LuaFunctionParser::feed(std::string_view data) {
  if (!started_) {
    started_ = true;
    if (!call({}, true)) return {0, State::invalid};
    if (missing_ == 0) return {0, State::done};
  }
  std::size_t used = 0;
  while (used < data.size()) {
    std::size_t take = std::min(missing_, data.size() - used);
    if (!call(data.substr(used, take), false)) return {used, State::invalid};
    used += take;
    if (missing_ == 0) return {used, State::done};
  }
  return {used, State::need_more};
}

}  // namespace swarm::protocol
