// The `swarm` Lua library: `require("swarm").reply_parser_*()`, and the
// WebSocket helpers ws_frame() and ws_decode() (lua_websocket.cpp).
//
// What a module gets from reply_parser_crlf() and friends is an immutable
// descriptor (a ParserSpec userdata), not a parser with state: modules create
// a parser per call, as the original did, and several connections of a worker
// may await replies at once. So the descriptor says which parser and with
// which parameters; the stateful parser lives in the running command's
// ParserSlot. Descriptors are cached (one per distinct parameters, weakly),
// so `swarm.reply_parser_crlf()` in a hot command allocates nothing, and a
// module may just as well create them once at load time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <lua.hpp>
#include <optional>

#include "swarm/reply_parsers.hpp"

namespace swarm::protocol {

/// Which built-in parser a descriptor stands for, and its parameters.
struct ParserSpec {
  enum class Kind : std::uint8_t { crlf, length, delimiter, prefixed, resp, ws };
  Kind kind = Kind::crlf;                       // which parser
  std::size_t length = 0;                       // length: bytes per reply
  PrefixedFormat prefixed{};                    // prefixed: the frame layout
  std::optional<DelimiterPattern> delimiter{};  // delimiter: what ends a reply
};

/// The `luaopen_` function of the `swarm` library (for package.preload).
int open_swarm_library(lua_State* state);

/// Adds ws_frame and ws_decode to the library table at the top of the stack.
void add_websocket_functions(lua_State* state);

/// The descriptor at `index`, or nullptr if that value is not one.
const ParserSpec* to_parser_spec(lua_State* state, int index);

}  // namespace swarm::protocol
