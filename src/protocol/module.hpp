// The engine's view of a protocol module: something that, on one worker,
// runs a plan action's command against a Client. Lua, native and built-in
// modules all implement it; the engine never knows which.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/plan.hpp"
#include "protocol/command_table.hpp"
#include "swarm/client.hpp"
#include "swarm/reply_parser.hpp"
#include "swarm/task.hpp"

namespace swarm::protocol {

/// How a command ended as far as the module can tell. How its I/O ended is
/// not here: the engine did the I/O, its Client knows (a failed call or
/// close_connection() ends the command early, and the module just returns).
struct CommandOutcome {
  enum class Kind {
    ok,            // the command returned (maybe early, after a failed call)
    script_error,  // the module raised an error (see message)
  };
  Kind kind = Kind::ok;
  std::string message;  // for script_error: "command: what went wrong"
};

/// What a module does with messages a server sends unasked (pub/sub, chat
/// broadcasts). Optional: a module without it never has the connection read
/// between commands. Called on the worker's thread, between the
/// connection's waits: it must not block or do I/O.
class PushHandler {
 public:
  virtual ~PushHandler() = default;
  /// Frames one pushed message. Shared by the worker's connections: begun
  /// afresh for each message, never left with partial state.
  virtual ReplyParser& framer() = 0;
  /// Whether a message that arrived while a reply was awaited (framed by
  /// the command's reply parser) is a push rather than the reply.
  virtual bool is_push(std::string_view message) = 0;
  /// One complete pushed message on connection `client_id`.
  virtual void on_push(std::uint64_t client_id, std::string_view message) = 0;
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
  /// Upkeep, about once a second: gives back what a burst took beyond the
  /// recent need (idle Lua coroutines, garbage).
  virtual void trim() {}
  /// What takes the messages servers push, or null when the module takes
  /// none. Asked once per worker.
  virtual PushHandler* push_handler() { return nullptr; }
};

/// The largest reply a module accepts unless it says otherwise (1 MiB).
inline constexpr std::size_t kDefaultMaxReply = std::size_t{1} << 20;

/// A loaded protocol module. Thread-safe: workers each instantiate it.
class Module {
 public:
  virtual ~Module() = default;
  /// The module's name (the file name without extension, or the built-in's).
  virtual const std::string& name() const = 0;
  /// The commands it offers and the args each takes.
  virtual const CommandTable& commands() const = 0;
  /// A fresh instance for one worker, ready to run `plan`'s actions.
  /// Throws std::runtime_error with a message when that fails.
  virtual std::unique_ptr<ModuleInstance> instantiate(const plan::Plan& plan) const = 0;
  /// The largest reply (and pushed data kept between reads) its servers may
  /// send, in bytes, unless --max-reply says otherwise; 0 = no limit. A
  /// protocol with a natural bound (an HTTP body limit) returns its own.
  virtual std::size_t default_max_reply() const { return kDefaultMaxReply; }

  /// Why `action` cannot run on this module (unknown command, args it does
  /// not take, a wrong or missing arg), or nothing when it can. The same
  /// check, and the same words, for every kind of module.
  std::optional<std::string> check(const plan::Action& action) const {
    return commands().check(name(), action);
  }
};

}  // namespace swarm::protocol
