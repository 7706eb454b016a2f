// NativeInstance: one worker's runner of native commands (a NAME.so's or a
// built-in protocol's): each plan action bound once to its coroutine and its
// args, as text.
#pragma once

#include <cstddef>
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
  explicit NativeInstance(std::vector<Bound> actions) : actions_(std::move(actions)) {}

  /// Runs the command; what it throws is a script error. How its I/O ended
  /// the engine's client knows: no wrapping here.
  Task<CommandOutcome> run(std::size_t action, Client& client) override;

 private:
  std::vector<Bound> actions_;  // by plan action index
};

}  // namespace swarm::protocol
