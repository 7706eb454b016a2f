// BuiltinInstance: a built-in protocol on one worker: the plan's actions
// bound to their commands, the connection setup, the worker's request
// buffers and the protocol's push handler.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "protocol/builtin/buffer_pool.hpp"
#include "protocol/builtin/protocol.hpp"
#include "protocol/module.hpp"

namespace swarm::protocol::builtin {

class BuiltinInstance final : public ModuleInstance {
 public:
  /// A plan action, bound.
  struct Bound {
    std::string name;                       // the command, for messages
    std::unique_ptr<BoundCommand> command;  // what it does
  };
  BuiltinInstance(const Protocol& protocol, std::vector<Bound> actions,
                  std::unique_ptr<ConnectionSetup> setup);

  Task<CommandOutcome> run(std::size_t action, Client& client) override;
  Task<CommandOutcome> on_connect(Client& client) override;
  Task<CommandOutcome> on_idle(Client& client) override;
  std::chrono::nanoseconds idle_period() const override;
  PushHandler* push_handler() override { return push_.get(); }
  std::size_t connection_state_bytes() const override { return state_bytes_; }

 private:
  std::vector<Bound> actions_;              // by plan action index
  std::unique_ptr<ConnectionSetup> setup_;  // on_connect / on_idle, or null
  std::unique_ptr<PushHandler> push_;       // the protocol's, or null
  std::size_t state_bytes_;                 // header + the protocol's state
  BufferPool buffers_;                      // request buffers for this worker
};

}  // namespace swarm::protocol::builtin
