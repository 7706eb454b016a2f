// A reply parser written as a Lua function, following the original contract:
// called first with no argument it returns how many bytes it needs; then
// called with each chunk (never longer than what it asked for) it returns how
// many bytes are still missing; 0 or less ends the reply.
#pragma once

#include <cstddef>
#include <lua.hpp>
#include <string>
#include <string_view>

#include "swarm/reply_parser.hpp"

namespace swarm::protocol {

/// Adapts a Lua parser function to ReplyParser. The function runs on the
/// instance's main state, never on the command's coroutine (which is
/// suspended in send_for_reply while the engine feeds the parser).
class LuaFunctionParser final : public ReplyParser {
 public:
  /// Keeps the function in a registry slot of `main` reserved for it.
  explicit LuaFunctionParser(lua_State* main);
  ~LuaFunctionParser() override;
  LuaFunctionParser(const LuaFunctionParser&) = delete;
  LuaFunctionParser& operator=(const LuaFunctionParser&) = delete;

  /// Uses the function at `index` of `thread` (a thread of the same state)
  /// for the next replies.
  void use(lua_State* thread, int index);
  /// Drops the function so that it can be collected.
  void forget();

  void begin() override;
  Step feed(std::string_view data) override;
  std::string error() const override { return error_; }
  /// True when the last reply failed because the function raised an error or
  /// returned something else than a number (a script error, not the server's).
  bool failed() const noexcept { return !error_.empty(); }

 private:
  /// Calls the function with `chunk` (none when `first`); stores how many
  /// bytes are still missing in missing_. False on error.
  bool call(std::string_view chunk, bool first);

  lua_State* main_;          // where the function runs
  int slot_;                 // registry slot holding the function
  bool started_ = false;     // the first, argument-less call was made
  std::size_t missing_ = 0;  // bytes the function still asks for
  std::string error_;        // why the function failed
};

}  // namespace swarm::protocol
