#include "protocol/lua/lua_push.hpp"

#include <utility>

#include "protocol/lua/lua_parsers.hpp"
#include "protocol/lua/lua_state.hpp"

namespace swarm::protocol {
namespace {

CommandOutcome push_error(std::string_view message) {
  return {CommandOutcome::Kind::script_error, "on_push: " + std::string(message)};
}

}  // namespace

std::string push_declaration_problem(lua_State* state) {
  lua_getfield(state, -1, "on_push");
  const bool has_function = lua_isfunction(state, -1);
  const bool has_something = !lua_isnil(state, -1);
  lua_getfield(state, -2, "_push_parser");
  const bool has_parser = !lua_isnil(state, -1);
  const bool parser_ok = to_parser_spec(state, -1) != nullptr;
  lua_getfield(state, -3, "_push_prefix");
  const bool prefix_ok = lua_isnil(state, -1) || lua_type(state, -1) == LUA_TSTRING;
  lua_pop(state, 3);
  if (has_something && !has_function) return "on_push must be a function";
  if (has_function && !has_parser) {
    return "on_push needs _push_parser, the parser that frames pushed messages "
           "(e.g. swarm.reply_parser_crlf())";
  }
  if (has_parser && !has_function) return "_push_parser is given, but there is no on_push";
  if (has_parser && !parser_ok) {
    return "_push_parser must be a swarm.reply_parser_*() (a Lua function cannot frame pushes)";
  }
  if (!prefix_ok) return "_push_prefix must be a string";
  return {};
}

std::unique_ptr<LuaPush> LuaPush::from_module(lua_State* main, CoroutinePool& pool) {
  lua_getfield(main, -1, "on_push");
  if (!lua_isfunction(main, -1)) {
    lua_pop(main, 1);
    return nullptr;
  }
  const int function_ref = luaL_ref(main, LUA_REGISTRYINDEX);
  lua_getfield(main, -1, "_push_prefix");
  std::string prefix = lua_type(main, -1) == LUA_TSTRING ? lua_tostring(main, -1) : "";
  lua_pop(main, 1);
  lua_getfield(main, -1, "_push_parser");
  const int parser_ref = luaL_ref(main, LUA_REGISTRYINDEX);
  return std::make_unique<LuaPush>(main, pool, function_ref, parser_ref, std::move(prefix));
}

LuaPush::LuaPush(lua_State* main, CoroutinePool& pool, int function_ref, int parser_ref,
                 std::string prefix)
    : main_(main),
      pool_(pool),
      function_ref_(function_ref),
      parser_ref_(parser_ref),
      prefix_(std::move(prefix)),
      parsers_(main) {
  // The descriptor stays referenced (parser_ref_), so the armed parser may
  // keep pointing into it.
  lua_rawgeti(main_, LUA_REGISTRYINDEX, parser_ref_);
  framer_ = parsers_.arm(main_, -1);
  lua_pop(main_, 1);
}

LuaPush::~LuaPush() {
  luaL_unref(main_, LUA_REGISTRYINDEX, function_ref_);
  luaL_unref(main_, LUA_REGISTRYINDEX, parser_ref_);
}

bool LuaPush::is_push(Client&, std::string_view message) {
  return !prefix_.empty() && message.starts_with(prefix_);
}

CommandOutcome LuaPush::on_push(Client& client, std::string_view message) {
  std::unique_ptr<LuaRunner> runner = pool_.acquire();
  runner->context().client = &client;
  lua_State* thread = runner->thread();
  lua_rawgeti(thread, LUA_REGISTRYINDEX, function_ref_);
  runner->push_client();
  lua_pushlstring(thread, message.data(), message.size());
  int arguments = 2;
  for (;;) {
    const int status = lua_resume(thread, arguments);
    if (status == 0) {
      pool_.release(std::move(runner));
      client.count_received({}, 0);
      return {};
    }
    // An error ends the coroutine: dropping the runner lets the GC take it.
    if (status != LUA_YIELD) return push_error(lua_error_text(thread, -1));
    if (std::exchange(runner->context().call, LuaCall::none) != LuaCall::send_noreply) {
      return push_error("on_push may only call client:send_noreply() (it must not wait)");
    }
    std::size_t size = 0;
    const char* bytes = lua_tolstring(thread, -1, &size);
    // A failed send was counted by the connection; the message still came.
    if (client.send_now(std::string_view(bytes, size)) != IoStatus::ok) {
      client.count_received({}, 0);
      return {};
    }
    lua_settop(thread, 0);
    arguments = 0;
  }
}

}  // namespace swarm::protocol
