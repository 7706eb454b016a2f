// The stateful parsers of one running command. A command awaits one reply at
// a time, so one parser of each kind per running command is enough, and
// several connections of a worker never share a parser's partial state.
#pragma once

#include <lua.hpp>

#include "protocol/lua/lua_function_parser.hpp"
#include "protocol/lua/lua_parsers.hpp"
#include "swarm/reply_parsers.hpp"
#include "swarm/websocket.hpp"

namespace swarm::protocol {

/// One parser of each kind, set up from what a command passed to
/// send_for_reply().
class ParserSlot {
 public:
  explicit ParserSlot(lua_State* main) : function_(main) {}

  /// The parser for the value at `index` of `thread` (a descriptor or a
  /// function), set up and begun; nullptr when the value is neither. The
  /// value must stay alive (on the thread's stack) while the parser is used.
  ReplyParser* arm(lua_State* thread, int index);
  /// After a reply failed: the script error of a Lua function parser, if
  /// that is why.
  const LuaFunctionParser* failed_function() const;
  /// Lets go of Lua values held for the last reply.
  void clear();

 private:
  CrlfParser crlf_;                     // for reply_parser_crlf()
  LengthParser length_;                 // for reply_parser_length(n)
  DelimiterParser delimiter_{nullptr};  // for reply_parser_delimiter(s)
  PrefixedParser prefixed_;             // for reply_parser_prefixed{...}
  RespParser resp_;                     // for reply_parser_resp()
  WsParser ws_;                         // for reply_parser_ws()
  LuaFunctionParser function_;          // for a Lua function
  ReplyParser* armed_ = nullptr;        // the one in use
};

}  // namespace swarm::protocol
