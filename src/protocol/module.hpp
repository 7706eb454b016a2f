// The engine's view of a protocol module: something that, on one worker,
// runs a plan action's command against a Client. Lua, native and built-in
// modules all implement it; the engine never knows which.
//
// Beyond commands, a module may hook into a connection's life (each hook
// costs nothing when a module does not use it):
//   - on_connect: runs once on every new TCP connection before the plan
//     (redis `HELLO 3`/AUTH/SELECT, an MQTT CONNECT); the plan's
//     `on_connect:` settings are its args;
//   - on_idle: runs while the plan sleeps, every idle_period() (an MQTT
//     PINGREQ when the keepalive is due);
//   - pushes: a PushHandler frames what the server sends unasked and may
//     answer at once with Client::send_now() (an MQTT PUBACK, a pong);
//   - per-connection state: connection_state_bytes() bytes per open
//     connection, zeroed at connect (Client::connection_state());
//   - defaults: settings the protocol wants unless the user says otherwise
//     (ProtocolDefaults).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/plan.hpp"
#include "plan/plan_error.hpp"
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
/// connection's waits: it must not block. Its Client may only send_now(),
/// count and look at the connection's state (calls that wait fail at once).
class PushHandler {
 public:
  virtual ~PushHandler() = default;
  /// Frames one pushed message. Shared by the worker's connections: begun
  /// afresh for each message, never left with partial state.
  virtual ReplyParser& framer() = 0;
  /// Whether a message that arrived while a reply was awaited (framed by
  /// the command's reply parser) is a push rather than the reply.
  virtual bool is_push(Client& client, std::string_view message) = 0;
  /// One complete pushed message on `client`'s connection. A script error
  /// is counted (and the connection goes on).
  virtual CommandOutcome on_push(Client& client, std::string_view message) = 0;
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
  /// Bytes of state kept per open connection (Client::connection_state());
  /// 0: none. Asked once per worker.
  virtual std::size_t connection_state_bytes() const { return 0; }
  /// Runs on every new TCP connection before the plan, when
  /// Module::hooks() says so. Its I/O is counted under an `on_connect` row.
  virtual Task<CommandOutcome> on_connect(Client& client);
  /// Runs while the plan sleeps, every idle_period(), when Module::hooks()
  /// says so. Its I/O is counted under an `on_idle` row.
  virtual Task<CommandOutcome> on_idle(Client& client);
  /// How long a connection may sleep before on_idle() runs (0: never).
  virtual std::chrono::nanoseconds idle_period() const { return std::chrono::nanoseconds::zero(); }
};

/// Which connection hooks a module runs under a plan.
struct Hooks {
  bool on_connect = false;  // ModuleInstance::on_connect() on every new connection
  bool on_idle = false;     // ModuleInstance::on_idle() while the plan sleeps
};

/// Settings a protocol wants unless the user sets them.
struct ProtocolDefaults {
  std::size_t max_reply_bytes = 0;  // largest reply it can need (0: the engine's default)
  int rcvbuf = -1;                  // SO_RCVBUF it wants (-1: swarm's default; 0: the kernel's)
};

/// The largest reply a module accepts unless it says otherwise (1 MiB).
inline constexpr std::size_t kDefaultMaxReply = std::size_t{1} << 20;
/// SO_RCVBUF unless --rcvbuf or the module says otherwise: the kernel's
/// least, as an idle connection needs no more.
inline constexpr int kDefaultRcvbuf = 128;

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
  /// SO_RCVBUF per connection unless --rcvbuf says otherwise (0: the
  /// kernel's). A protocol whose servers stream to it (MQTT QoS 1 deliveries)
  /// wants the kernel's: a window of a few hundred bytes stalls them.
  virtual int default_rcvbuf() const { return kDefaultRcvbuf; }

  /// Why `action` cannot run on this module (unknown command, args it does
  /// not take, a wrong or missing arg), or nothing when it can. The same
  /// check, and the same words, for every kind of module; a module that
  /// compiles its args (a built-in) adds what compiling finds.
  virtual std::optional<plan::Problem> check(const plan::Action& action) const {
    return commands().check(name(), action);
  }
  /// The settings a plan's `on_connect:` may give, or null when the module
  /// takes none.
  virtual const CommandSpec* on_connect_spec() const { return nullptr; }
  /// Why the plan's `on_connect` settings (null when it has none) cannot be
  /// used, or nothing.
  virtual std::optional<plan::Problem> check_on_connect(const plan::Value& settings) const;
  /// The hooks its instances run under `plan`.
  virtual Hooks hooks(const plan::Plan& plan) const {
    static_cast<void>(plan);
    return {};
  }
  /// What the protocol wants unless the user says otherwise.
  virtual ProtocolDefaults defaults() const { return {}; }
  /// The name of `action`'s row in reports: its command, or more when the
  /// command is generic (redis `command` with words [ZADD, ...]: "command
  /// ZADD"). Actions with the same name share a row.
  virtual std::string row_name(const plan::Action& action) const { return action.command; }
};

/// The rows a report shows for a plan run by `module`: one per action
/// (Module::row_name), then `on_connect` and `on_idle` when the module runs
/// those hooks. The engine counts hook calls in the rows after the plan's
/// actions, in this order.
std::vector<std::string> report_rows(const Module& module, const plan::Plan& plan);

}  // namespace swarm::protocol
