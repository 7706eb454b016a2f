// Pushes for Lua modules: a module that defines `on_push(client, data)`
// sees what the server sends between its commands. It declares how such a
// message is framed, and how one that arrives while a reply is awaited is
// told from the reply:
//
//   M._push_parser = swarm.reply_parser_crlf()  -- frames pushed messages
//   M._push_prefix = ">"   -- a message starting with this is a push
//   function M.on_push(client, data) ... end
//
// on_push runs in a pooled coroutine, inside the connection's read: it must
// not wait. It may call client:send_noreply() (sent at once, without
// waiting) and use client.id and client.state; other client calls raise an
// error, counted as a script error.
#pragma once

#include <lua.hpp>
#include <memory>
#include <string>

#include "protocol/lua/lua_coroutine_pool.hpp"
#include "protocol/lua/parser_slot.hpp"
#include "protocol/module.hpp"

namespace swarm::protocol {

/// Why the module table at the top of `state` declares pushes badly
/// (on_push without _push_parser, a _push_parser that is not a built-in
/// parser, ...), or "" when it is fine or declares none.
std::string push_declaration_problem(lua_State* state);

class LuaPush final : public PushHandler {
 public:
  /// The handler of the module table at the top of `main`, or null when it
  /// has no on_push. `pool` gives the coroutines on_push runs in.
  static std::unique_ptr<LuaPush> from_module(lua_State* main, CoroutinePool& pool);
  LuaPush(lua_State* main, CoroutinePool& pool, int function_ref, int parser_ref,
          std::string prefix);
  ~LuaPush() override;
  LuaPush(const LuaPush&) = delete;
  LuaPush& operator=(const LuaPush&) = delete;

  ReplyParser& framer() override { return *framer_; }
  bool is_push(Client& client, std::string_view message) override;
  CommandOutcome on_push(Client& client, std::string_view message) override;

 private:
  lua_State* main_;      // the instance's state
  CoroutinePool& pool_;  // coroutines to run on_push in
  int function_ref_;     // registry ref of on_push
  int parser_ref_;       // registry ref of the _push_parser descriptor
  std::string prefix_;   // _push_prefix ("" : no message awaited as a reply is a push)
  ParserSlot parsers_;   // holds the framer, armed once
  ReplyParser* framer_;  // the armed parser in parsers_
};

}  // namespace swarm::protocol
