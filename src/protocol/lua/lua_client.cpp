#include "protocol/lua/lua_client.hpp"

#include <cmath>
#include <cstring>
#include <new>

#include "protocol/lua/lua_parsers.hpp"

namespace swarm::protocol {
namespace {

constexpr const char* kClientType = "swarm.client";  // metatable name

/// The context of the client at 1, checked to be usable now by `state`.
ClientContext* active_context(lua_State* state) {
  auto* context = static_cast<ClientContext*>(luaL_checkudata(state, 1, kClientType));
  if (context->client == nullptr) {
    luaL_error(state, "client used outside a running command (keep no client across calls)");
  }
  if (context->thread != state) {
    luaL_error(state, "client used from another coroutine: call it from the command itself");
  }
  return context;
}

int send_for_reply(lua_State* state) {
  ClientContext* context = active_context(state);
  luaL_checktype(state, 2, LUA_TSTRING);
  if (lua_type(state, 3) != LUA_TFUNCTION && to_parser_spec(state, 3) == nullptr) {
    return luaL_argerror(state, 3,
                         "expected a reply parser (swarm.reply_parser_*() or a function)");
  }
  context->call = LuaCall::send_for_reply;
  lua_settop(state, 3);
  return lua_yield(state, 2);  // request and parser stay on the stack during I/O
}

int receive(lua_State* state) {
  ClientContext* context = active_context(state);
  if (lua_type(state, 2) != LUA_TFUNCTION && to_parser_spec(state, 2) == nullptr) {
    return luaL_argerror(state, 2,
                         "expected a reply parser (swarm.reply_parser_*() or a function)");
  }
  context->call = LuaCall::receive;
  lua_settop(state, 2);
  return lua_yield(state, 1);  // the parser stays on the stack during I/O
}

int send_noreply(lua_State* state) {
  ClientContext* context = active_context(state);
  luaL_checktype(state, 2, LUA_TSTRING);
  context->call = LuaCall::send_noreply;
  lua_settop(state, 2);
  return lua_yield(state, 1);
}

int sleep(lua_State* state) {
  ClientContext* context = active_context(state);
  lua_Number seconds = luaL_checknumber(state, 2);
  if (!(seconds >= 0 && seconds < 1e9)) {
    return luaL_argerror(state, 2, "sleep takes a number of seconds >= 0");
  }
  context->call = LuaCall::sleep;
  context->sleep_seconds = seconds;
  return lua_yield(state, 0);
}

int close_connection(lua_State* state) {
  active_context(state)->call = LuaCall::close;
  return lua_yield(state, 0);
}

/// Pushes the connection's state table, made on first use.
int push_state(lua_State* state, ClientContext* context) {
  lua_rawgeti(state, LUA_REGISTRYINDEX, context->states_ref);
  lua_pushnumber(state, static_cast<lua_Number>(context->client->id()));
  lua_rawget(state, -2);
  if (lua_isnil(state, -1)) {
    lua_pop(state, 1);
    lua_newtable(state);
    lua_pushnumber(state, static_cast<lua_Number>(context->client->id()));
    lua_pushvalue(state, -2);
    lua_rawset(state, -4);
  }
  return 1;
}

/// __index: methods first (upvalue 1), then the `id` and `state` fields.
int index_client(lua_State* state) {
  lua_pushvalue(state, 2);
  lua_rawget(state, lua_upvalueindex(1));
  if (!lua_isnil(state, -1)) return 1;
  const char* key = lua_tostring(state, 2);
  if (key == nullptr) return 1;
  bool is_id = std::strcmp(key, "id") == 0;
  if (!is_id && std::strcmp(key, "state") != 0) return 1;
  auto* context = static_cast<ClientContext*>(lua_touserdata(state, 1));
  if (context->client == nullptr) {
    return luaL_error(state, "client.%s used outside a running command", key);
  }
  if (!is_id) return push_state(state, context);
  lua_pushnumber(state, static_cast<lua_Number>(context->client->id()));
  return 1;
}

}  // namespace

void register_client_type(lua_State* state) {
  luaL_newmetatable(state, kClientType);
  const luaL_Reg methods[] = {{"send_for_reply", send_for_reply},
                              {"send_noreply", send_noreply},
                              {"receive", receive},
                              {"sleep", sleep},
                              {"close_connection", close_connection},
                              {nullptr, nullptr}};
  lua_createtable(state, 0, 5);
  luaL_register(state, nullptr, methods);
  lua_pushcclosure(state, index_client, 1);
  lua_setfield(state, -2, "__index");
  lua_pushliteral(state, "swarm.client");
  lua_setfield(state, -2, "__metatable");
  lua_pop(state, 1);
}

ClientContext* push_client(lua_State* state, lua_State* thread, int states_ref) {
  auto* context = new (lua_newuserdata(state, sizeof(ClientContext))) ClientContext;
  context->thread = thread;
  context->states_ref = states_ref;
  luaL_getmetatable(state, kClientType);
  lua_setmetatable(state, -2);
  return context;
}

}  // namespace swarm::protocol
