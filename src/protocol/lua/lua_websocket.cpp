// swarm.ws_frame(data, opcode) and swarm.ws_decode(reply): WebSocket for Lua
// modules, beside swarm.reply_parser_ws() (one message per reply).
//
//   local frame = swarm.ws_frame("hello", "text")   -- masked client frame
//   local reply = client:send_for_reply(frame, swarm.reply_parser_ws())
//   local kind, data = swarm.ws_decode(reply)       -- "text", "hello"
//
// Masking keys come from a generator of the worker's thread (xoshiro256**),
// seeded once per thread: fast, and never shared between workers.
#include <cstring>
#include <random>
#include <string>

#include "plan/rng.hpp"
#include "protocol/lua/lua_parsers.hpp"
#include "swarm/websocket.hpp"

namespace swarm::protocol {
namespace {

std::uint32_t next_mask() {
  thread_local plan::Rng rng(std::random_device{}());
  return static_cast<std::uint32_t>(rng.next() >> 32);
}

/// The opcode argument at `index`: a name ("text" by default) or a number.
int check_opcode(lua_State* state, int index) {
  if (lua_isnoneornil(state, index)) return static_cast<int>(WsOpcode::text);
  if (lua_type(state, index) == LUA_TNUMBER) {
    const lua_Number value = lua_tonumber(state, index);
    if (value >= 0 && value <= 15 && static_cast<int>(value) == value) {
      return static_cast<int>(value);
    }
    return luaL_argerror(state, index, "an opcode is a whole number from 0 to 15");
  }
  const char* name = luaL_checkstring(state, index);
  static constexpr WsOpcode kOpcodes[] = {WsOpcode::text, WsOpcode::binary, WsOpcode::ping,
                                          WsOpcode::pong, WsOpcode::close,  WsOpcode::continuation};
  for (WsOpcode opcode : kOpcodes) {
    if (ws_opcode_name(opcode) == name) return static_cast<int>(opcode);
  }
  return luaL_argerror(state, index,
                       "opcode: text, binary, ping, pong, close, continuation, or a number");
}

/// ws_frame(data [, opcode [, fin]]): one masked client frame.
int ws_frame_lua(lua_State* state) {
  std::size_t size = 0;
  const char* data = luaL_checklstring(state, 1, &size);
  const int opcode = check_opcode(state, 2);
  const bool fin = lua_isnoneornil(state, 3) || lua_toboolean(state, 3) != 0;
  if ((opcode & 0x8) != 0 && size > 125) {
    return luaL_argerror(state, 1, "a control frame carries at most 125 bytes");
  }
  bool failed = false;
  try {
    std::string frame;
    ws_append_frame(frame, {data, size}, static_cast<WsOpcode>(opcode), next_mask(), fin);
    lua_pushlstring(state, frame.data(), frame.size());
  } catch (const std::exception&) {
    failed = true;  // raised below, with no C++ object left to unwind
  }
  if (failed) return luaL_error(state, "ws_frame: out of memory");
  return 1;
}

/// ws_decode(reply): opcode name, data (fragments joined); for a close also
/// its code and reason.
int ws_decode_lua(lua_State* state) {
  std::size_t size = 0;
  const char* data = luaL_checklstring(state, 1, &size);
  bool failed = false;
  int results = 0;
  try {
    std::string scratch;
    const WsMessage message = ws_read_message({data, size}, scratch);
    if (message.frames == 0) {
      lua_pushnil(state);
      lua_pushliteral(state, "not a websocket message");
      return 2;
    }
    const std::string name = ws_opcode_name(message.opcode);
    lua_pushlstring(state, name.data(), name.size());
    lua_pushlstring(state, message.payload.data(), message.payload.size());
    results = 2;
    if (message.opcode == WsOpcode::close) {
      lua_pushinteger(state, message.close_code);
      lua_pushlstring(state, message.close_reason.data(), message.close_reason.size());
      results = 4;
    }
  } catch (const std::exception&) {
    failed = true;
  }
  if (failed) return luaL_error(state, "ws_decode: out of memory");
  return results;
}

}  // namespace

void add_websocket_functions(lua_State* state) {
  lua_pushcfunction(state, ws_frame_lua);
  lua_setfield(state, -2, "ws_frame");
  lua_pushcfunction(state, ws_decode_lua);
  lua_setfield(state, -2, "ws_decode");
}

}  // namespace swarm::protocol
