// A Lua protocol module running on one worker: its own lua_State, the plan's
// actions bound to their functions and args once, and a pool of coroutines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "protocol/lua/lua_coroutine_pool.hpp"
#include "protocol/lua/lua_push.hpp"
#include "protocol/lua/lua_state.hpp"
#include "protocol/module.hpp"

namespace swarm::protocol {

/// Runs a Lua module's commands. Each run() resumes a pooled coroutine that
/// calls the command; client methods yield back here, run() performs the I/O
/// with `co_await` and resumes the coroutine with the result.
class LuaInstance final : public ModuleInstance {
 public:
  /// Loads the module at `path` into a new state guarded by `limits` and
  /// binds `plan`'s actions. Throws std::runtime_error.
  LuaInstance(const std::string& path, const plan::Plan& plan, const LuaLimits& limits = {});

  Task<CommandOutcome> run(std::size_t action, Client& client) override;
  /// Drops `client.state` of a connection that is gone.
  void forget_connection(std::uint64_t client_id) override;
  /// The module's on_push, when it has one.
  PushHandler* push_handler() override { return push_.get(); }

  /// The Lua state's heap, as its allocator counts it.
  std::size_t memory_bytes() const override;
  /// Drops idle coroutines beyond the recent need; collects the garbage
  /// when that (or a burst) left much of it, else takes a GC step.
  void trim() override;
  /// Coroutines made so far: stays near the number of commands in flight.
  std::size_t coroutines_created() const noexcept { return pool_.created(); }
  /// Coroutines waiting in the pool.
  std::size_t coroutines_idle() const noexcept { return pool_.idle(); }

 private:
  /// A plan action, resolved once.
  struct BoundAction {
    std::string command;  // its name, for messages
    int function_ref;     // registry ref of the command function
    int args_ref;         // registry ref of the args table
  };
  /// What to do after a client call: resume with `arguments` results, or end.
  struct Resumption {
    int arguments = 0;                      // values pushed for the coroutine
    std::optional<CommandOutcome> outcome;  // set: the command is over
  };

  std::vector<BoundAction> bind_actions(const plan::Plan& plan);
  /// Performs the client call the coroutine of `runner` yielded for.
  Task<Resumption> perform(LuaRunner& runner, Client& client, const BoundAction& bound);
  Task<Resumption> perform_send_for_reply(LuaRunner& runner, Client& client,
                                          const BoundAction& bound);
  /// The outcome of a send_for_reply() that failed.
  static CommandOutcome failed_reply(LuaRunner& runner, const BoundAction& bound);
  /// The outcome of a coroutine that ended with an error (`status`).
  CommandOutcome failure(lua_State* thread, int status, const BoundAction& bound);
  /// After a limit stopped module code: collects the garbage at once, so
  /// that the next command starts with the heap the live data needs.
  void recover_memory();

  LuaStatePtr state_;                 // this worker's Lua state
  LuaGuard& guard_;                   // its limits
  int states_ref_;                    // registry ref: client id -> client.state table
  std::vector<BoundAction> actions_;  // by plan action index
  CoroutinePool pool_;                // coroutines for running commands
  std::size_t collected_heap_ = 0;    // heap bytes after the last full collection
  std::unique_ptr<LuaPush> push_;     // on_push, if the module has it
};

}  // namespace swarm::protocol
