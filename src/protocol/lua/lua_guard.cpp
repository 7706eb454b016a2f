#include "protocol/lua/lua_guard.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "plan/byte_size.hpp"
#include "plan/duration.hpp"

namespace swarm::protocol {
namespace {

// Instructions between two looks at the clock: about 10 µs of interpreted
// code, so a look costs well under 1 % and a limit is met within 10 µs.
constexpr int kCheckEvery = 10'000;

/// Replaces `jit.on`: with a time limit the JIT must stay off, or an endless
/// loop, once compiled, would never reach the hook again.
int refuse_jit_on(lua_State* state) {
  return luaL_error(state,
                    "jit.on(): swarm runs Lua modules with the JIT off so that --lua-call-limit "
                    "can stop a command that never returns; --lua-call-limit 0 turns the JIT on");
}

}  // namespace

void* LuaGuard::allocate(void* guard, void* block, std::size_t old_size,
                         std::size_t new_size) noexcept {
  auto& self = *static_cast<LuaGuard*>(guard);
  // LuaJIT passes the block's size as old_size, and 0 with no block.
  if (block == nullptr) old_size = 0;
  if (new_size == 0) {
    std::free(block);
    self.used_ -= old_size;
    return nullptr;
  }
  // Only module code is limited: swarm's own few bytes (a reply handed to a
  // command, a coroutine for the next one) must never fail between calls.
  const std::size_t limit = self.limits_.memory_bytes;
  if (self.running_ && limit != 0 && new_size > old_size &&
      self.used_ - old_size + new_size > limit) {
    self.stopped_ = true;
    return nullptr;  // LuaJIT raises "not enough memory" in the running code
  }
  void* moved = std::realloc(block, new_size);
  if (moved != nullptr) self.used_ = self.used_ - old_size + new_size;
  return moved;
}

LuaGuard& LuaGuard::of(lua_State* state) noexcept {
  void* guard = nullptr;
  lua_getallocf(state, &guard);
  return *static_cast<LuaGuard*>(guard);
}

void LuaGuard::watch(lua_State* state) const {
  if (limits_.call_time <= std::chrono::nanoseconds::zero()) return;
  luaJIT_setmode(state, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
  lua_sethook(state, on_count, LUA_MASKCOUNT, kCheckEvery);
  lua_getglobal(state, "jit");
  if (lua_istable(state, -1)) {
    lua_pushcfunction(state, refuse_jit_on);
    lua_setfield(state, -2, "on");
  }
  lua_pop(state, 1);
}

void LuaGuard::on_count(lua_State* state, lua_Debug* debug) {
  LuaGuard& guard = of(state);
  if (!guard.running_ || std::chrono::steady_clock::now() < guard.deadline_) return;
  // From now on every instruction fails, so that a script's own pcall
  // cannot catch the error and carry on: the code unwinds to swarm.
  lua_sethook(state, on_count, LUA_MASKCOUNT, 1);
  guard.stopped_ = true;
  const bool call_limit = guard.limit_ == guard.limits_.call_time;
  lua_getinfo(state, "Sl", debug);  // where the code was: "durian.lua:12"
  lua_pushfstring(state, "%s:%d: ran for more than %s without yielding (an endless loop?%s)",
                  debug->short_src, debug->currentline, plan::format_duration(guard.limit_).c_str(),
                  call_limit ? " see --lua-call-limit" : "");
  lua_error(state);
}

std::string LuaGuard::memory_message() const {
  return fmt::format("not enough memory (the Lua heap reached --lua-memory-limit {})",
                     plan::format_byte_size(limits_.memory_bytes));
}

LuaGuard::Call::Call(lua_State* state, std::chrono::nanoseconds limit)
    : guard_(of(state)),
      state_(state),
      was_running_(guard_.running_),
      outer_deadline_(guard_.deadline_),
      outer_limit_(guard_.limit_) {
  guard_.running_ = true;
  guard_.limit_ = limit;
  guard_.deadline_ = limit > std::chrono::nanoseconds::zero()
                         ? std::chrono::steady_clock::now() + limit
                         : std::chrono::steady_clock::time_point::max();
}

LuaGuard::Call::~Call() {
  // A tripped hook checks every instruction: back to its usual pace.
  if (guard_.limits_.call_time > std::chrono::nanoseconds::zero()) {
    lua_sethook(state_, on_count, LUA_MASKCOUNT, kCheckEvery);
  }
  guard_.running_ = was_running_;
  guard_.deadline_ = outer_deadline_;
  guard_.limit_ = outer_limit_;
}

}  // namespace swarm::protocol
