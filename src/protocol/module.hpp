// The engine's view of a protocol module: something that, on one worker,
// runs a plan action's command against a Client. Lua and native modules both
// implement it; the engine never knows which.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "swarm/client.hpp"
#include "swarm/task.hpp"

namespace swarm::protocol {

/// How one command call ended.
struct CommandOutcome {
  enum class Kind {
    ok,            // the command returned normally
    io_error,      // a client call failed (see io); the iteration ends
    closed,        // the command called close_connection(); the iteration ends
    script_error,  // the module raised an error (see message)
  };
  Kind kind = Kind::ok;
  IoStatus io = IoStatus::ok;  // for io_error: what failed
  std::string message;         // for script_error: the module's message
};

/// A module's code running on one worker thread (a Lua state, say). Not
/// thread-safe: only its worker calls it.
class ModuleInstance {
 public:
  virtual ~ModuleInstance() = default;
  /// Runs the command of plan action `action` (index into Plan::actions)
  /// with that action's args, on `client`.
  virtual Task<CommandOutcome> run(std::size_t action, Client& client) = 0;
  /// Forgets what the module kept for connection `client_id` (Lua's
  /// `client.state`). The engine calls it when that TCP connection closes,
  /// before a reconnect, so a new connection starts with a fresh state.
  virtual void forget_connection(std::uint64_t client_id) { static_cast<void>(client_id); }
  /// Bytes the instance's own heap holds (a Lua state's), for memory reports.
  virtual std::size_t memory_bytes() const { return 0; }
};

/// A loaded protocol module. Thread-safe: workers each instantiate it.
class Module {
 public:
  virtual ~Module() = default;
  /// The module's name (the file name without extension).
  virtual const std::string& name() const = 0;
  /// The commands it offers, sorted.
  virtual std::vector<std::string> commands() const = 0;
  /// Why `action` cannot run on this module (unknown command, args it does
  /// not accept), or nothing when it can.
  virtual std::optional<std::string> check(const plan::Action& action) const = 0;
  /// A fresh instance for one worker, ready to run `plan`'s actions.
  /// Throws std::runtime_error with a message when that fails.
  virtual std::unique_ptr<ModuleInstance> instantiate(const plan::Plan& plan) const = 0;
};

}  // namespace swarm::protocol
