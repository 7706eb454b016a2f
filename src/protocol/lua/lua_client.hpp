// The `client` a Lua command receives. Its methods do no I/O themselves: they
// check their arguments, note what was asked in the ClientContext and yield
// the command's coroutine back to LuaInstance::run(), which performs the call
// with the real swarm::Client and resumes the coroutine with the result.
//
// One client userdata belongs to each pooled coroutine (not to a connection),
// so running a command creates no Lua object. It is bound to a connection only
// while a command runs; calls at any other time, or from another coroutine,
// raise a Lua error. `client.state` is the per-connection table kept by the
// instance (see LuaInstance::forget_connection).
#pragma once

#include <cstdint>
#include <lua.hpp>

#include "swarm/client.hpp"

namespace swarm::protocol {

/// What a client method asked for when it yielded.
enum class LuaCall : std::uint8_t {
  none,            // the coroutine yielded by itself (coroutine.yield): an error
  send_for_reply,  // yielded (request, parser)
  send_noreply,    // yielded (request)
  receive,         // yielded (parser)
  sleep,           // see ClientContext::sleep_seconds
  close,           // close_connection()
};

/// Lives inside the client userdata, so that a client kept by a script past
/// its command can always be checked safely.
struct ClientContext {
  Client* client = nullptr;      // the connection while a command runs, else null
  lua_State* thread = nullptr;   // the coroutine allowed to use this client
  LuaCall call = LuaCall::none;  // what the last yield asked for
  double sleep_seconds = 0;      // for LuaCall::sleep
  int states_ref = LUA_NOREF;    // registry ref of the instance's id -> state table
};

/// Registers the client metatable in `state` (once per state).
void register_client_type(lua_State* state);

/// Pushes a new client userdata bound to `thread` and returns its context.
ClientContext* push_client(lua_State* state, lua_State* thread, int states_ref);

}  // namespace swarm::protocol
