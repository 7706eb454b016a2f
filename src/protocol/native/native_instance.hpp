// NativeInstance: one worker's runner of a NAME.so's native commands: each
// plan action bound once to its coroutine and its args, as text; and the
// module's hooks (pushes, per-connection state), when it has them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/module.hpp"
#include "swarm/module.hpp"

namespace swarm::protocol {

class NativeInstance final : public ModuleInstance, private PushHandler {
 public:
  /// A plan action, resolved once.
  struct Bound {
    std::string name;  // the command, for messages
    Command run;       // the module's coroutine
    Args args;         // the action's args, converted once
  };
  /// `hooks` may be null (a module without them); `forget`: the module's
  /// forget_connection hook, or nullptr.
  NativeInstance(std::vector<Bound> actions, const ModuleHooks* hooks,
                 void (*forget)(std::uint64_t) = nullptr);

  /// Runs the command; what it throws is a script error. How its I/O ended
  /// the engine's client knows: no wrapping here.
  Task<CommandOutcome> run(std::size_t action, Client& client) override;
  PushHandler* push_handler() override { return framer_ ? this : nullptr; }
  std::size_t connection_state_bytes() const override {
    return hooks_ != nullptr ? hooks_->connection_state_bytes : 0;
  }

  /// Passes the closing connection on to the module's hook, if it has one.
  void forget_connection(std::uint64_t client_id) override {
    if (forget_ != nullptr) forget_(client_id);
  }

 private:
  ReplyParser& framer() override { return *framer_; }
  bool is_push(Client& client, std::string_view message) override;
  CommandOutcome on_push(Client& client, std::string_view message) override;

  std::vector<Bound> actions_;           // by plan action index
  const ModuleHooks* hooks_;             // the module's, or null
  std::unique_ptr<ReplyParser> framer_;  // frames pushes, when the module takes them
  void (*forget_)(std::uint64_t);        // the module's forget_connection, or nullptr
};

}  // namespace swarm::protocol
