// Lua coroutines for running commands, reused. A suspended coroutine costs
// about 600 bytes, so a connection holds one only while a command runs: idle
// connections hold none, and a worker needs only as many as it has commands
// in flight.
#pragma once

#include <cstddef>
#include <lua.hpp>
#include <memory>
#include <vector>

#include "protocol/lua/lua_client.hpp"
#include "protocol/lua/parser_slot.hpp"

namespace swarm::protocol {

/// A Lua coroutine with its own client userdata and parsers. Anchored in the
/// registry while it lives; dropping it unbinds the client and lets the GC
/// take the coroutine (how an abandoned, still-suspended coroutine ends).
class LuaRunner {
 public:
  LuaRunner(lua_State* main, int states_ref);
  ~LuaRunner();
  LuaRunner(const LuaRunner&) = delete;
  LuaRunner& operator=(const LuaRunner&) = delete;

  lua_State* thread() const noexcept { return thread_; }
  ClientContext& context() noexcept { return *context_; }
  ParserSlot& parsers() noexcept { return parsers_; }
  /// Pushes the client userdata onto the coroutine's stack.
  void push_client() const { lua_rawgeti(thread_, LUA_REGISTRYINDEX, client_ref_); }

 private:
  lua_State* main_;         // the state the coroutine belongs to
  lua_State* thread_;       // the coroutine
  int thread_ref_;          // registry ref keeping the coroutine alive
  int client_ref_;          // registry ref of its client userdata
  ClientContext* context_;  // inside the client userdata
  ParserSlot parsers_;      // the parsers its replies use
};

/// Idle runners of one instance.
class CoroutinePool {
 public:
  static constexpr std::size_t kMaxIdle = 1024;  // more idle after a burst are freed

  CoroutinePool(lua_State* main, int states_ref) : main_(main), states_ref_(states_ref) {}

  /// An idle runner, or a new one.
  std::unique_ptr<LuaRunner> acquire();
  /// Takes back a runner whose command returned normally (its coroutine can
  /// run again). Runners that failed or were abandoned are just dropped.
  void release(std::unique_ptr<LuaRunner> runner);

  /// Drops idle runners no command needed since the last trim (half of the
  /// fewest that sat idle all along, so a burst's go back within a few
  /// trims). Returns how many were dropped (garbage for the GC).
  std::size_t trim();

  /// Runners made so far (for tests and stats).
  std::size_t created() const noexcept { return created_; }
  /// Runners waiting for a command.
  std::size_t idle() const noexcept { return idle_.size(); }

 private:
  lua_State* main_;                               // the instance's state
  int states_ref_;                                // handed to each client
  std::vector<std::unique_ptr<LuaRunner>> idle_;  // ready to run
  std::size_t created_ = 0;                       // runners ever made
  std::size_t least_idle_ = 0;                    // fewest idle since the last trim
};

}  // namespace swarm::protocol
