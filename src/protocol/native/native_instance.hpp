// NativeInstance: one worker's runner of native commands (a NAME.so's or a
// built-in protocol's): each plan action bound once to its coroutine and its
// args, as text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "protocol/module.hpp"
#include "swarm/module.hpp"

namespace swarm::protocol {

class NativeInstance final : public ModuleInstance {
 public:
  /// A plan action, resolved once.
  struct Bound {
    std::string name;  // the command, for messages
    Command run;       // the module's coroutine
    Args args;         // the action's args, converted once
  };
  /// `forget`: the module's forget_connection hook, or nullptr.
  NativeInstance(std::vector<Bound> actions, void (*forget)(std::uint64_t) = nullptr)
      : actions_(std::move(actions)), forget_(forget) {}

  /// Runs the command; what it throws is a script error. How its I/O ended
  /// the engine's client knows: no wrapping here.
  Task<CommandOutcome> run(std::size_t action, Client& client) override;

  /// Passes the closing connection on to the module's hook, if it has one.
  void forget_connection(std::uint64_t client_id) override {
    if (forget_ != nullptr) forget_(client_id);
  }

 private:
  std::vector<Bound> actions_;     // by plan action index
  void (*forget_)(std::uint64_t);  // the module's forget_connection, or nullptr
};

}  // namespace swarm::protocol
