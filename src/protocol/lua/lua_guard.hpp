// LuaGuard: what one Lua state may cost its worker. A module's code runs on
// the worker's thread, between the event loop's turns: a command that
// allocates without end would take the machine's memory, and one that never
// returns would freeze every connection of the worker. The guard is the
// state's allocator (counting its heap, refusing past a limit while module
// code runs) and its instruction-count hook (ending module code that runs
// too long without yielding). Both end the call with a Lua error, which the
// instance counts as a script error with its message; the worker goes on.
//
// LuaJIT calls hooks only from the interpreter, never from compiled traces,
// so with a time limit the state runs with the JIT off (measured in
// DESIGN.md: the interpreter is fast enough for a module's few lines per
// request). A time limit of 0 turns the check off and the JIT on.
#pragma once

#include <chrono>
#include <cstddef>
#include <lua.hpp>
#include <string>
#include <utility>

namespace swarm::protocol {

/// Limits on one Lua state's module code.
struct LuaLimits {
  std::size_t memory_bytes = std::size_t{1} << 30;               // heap of one state; 0 = none
  std::chrono::nanoseconds call_time{std::chrono::seconds(1)};   // longest run of module code
                                                                 // without yielding; 0 = none
  std::chrono::nanoseconds load_time{std::chrono::seconds(10)};  // longest run of the module
                                                                 // file's own code at load
};

class LuaGuard {
 public:
  explicit LuaGuard(LuaLimits limits) noexcept : limits_(limits) {}
  LuaGuard(const LuaGuard&) = delete;
  LuaGuard& operator=(const LuaGuard&) = delete;

  /// The lua_Alloc of a guarded state; `guard` is the LuaGuard.
  static void* allocate(void* guard, void* block, std::size_t old_size,
                        std::size_t new_size) noexcept;
  /// The guard of a state made with allocate().
  static LuaGuard& of(lua_State* state) noexcept;

  /// Installs the hook on `state` (made with allocate() and this guard), and
  /// turns the JIT off when there is a time limit.
  void watch(lua_State* state) const;

  /// While one lives, module code is running: the memory limit applies and
  /// the time limit (`limit`, or none when zero) counts from its start.
  /// Nests: the outer call's limit comes back when an inner one ends.
  class Call {
   public:
    explicit Call(lua_State* state, std::chrono::nanoseconds limit);
    ~Call();
    Call(const Call&) = delete;
    Call& operator=(const Call&) = delete;

   private:
    LuaGuard& guard_;                                       // the state's guard
    lua_State* state_;                                      // for the hook's reset
    bool was_running_;                                      // an outer call runs
    std::chrono::steady_clock::time_point outer_deadline_;  // its deadline
    std::chrono::nanoseconds outer_limit_;                  // and its limit
  };

  const LuaLimits& limits() const noexcept { return limits_; }
  /// Bytes the state holds now.
  std::size_t used() const noexcept { return used_; }
  /// Whether a limit stopped module code (an allocation refused, or the
  /// time up) since the last call; clears it. Such code leaves garbage of
  /// any size behind.
  bool take_stop() noexcept { return std::exchange(stopped_, false); }
  /// What a memory error means, for messages: "not enough memory (the Lua
  /// heap reached --lua-memory-limit 1GiB)".
  std::string memory_message() const;

 private:
  static void on_count(lua_State* state, lua_Debug* debug);

  LuaLimits limits_;                                // what is allowed
  std::size_t used_ = 0;                            // bytes allocated now
  bool running_ = false;                            // module code runs (a Call lives)
  bool stopped_ = false;                            // a limit stopped module code
  std::chrono::nanoseconds limit_{};                // the running call's time limit
  std::chrono::steady_clock::time_point deadline_;  // when it is over; max() if none
};

}  // namespace swarm::protocol
