// BuiltinModule: a Module made of a built-in Protocol. It gives the plan
// check its typed table (with `pipeline` added to pipelined commands),
// binds each action once to find what the table cannot (a bad {rand:...},
// a size out of range: at the value's file:line:col), and makes one
// BuiltinInstance per worker. No dlopen, no Lua: the commands are C++.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "protocol/builtin/protocol.hpp"
#include "protocol/module.hpp"

namespace swarm::protocol::builtin {

class BuiltinModule final : public Module {
 public:
  /// The most requests `pipeline` may send together.
  static constexpr std::int64_t kMaxPipeline = 10000;

  explicit BuiltinModule(const Protocol& protocol);

  const std::string& name() const override { return name_; }
  const CommandTable& commands() const override { return table_; }
  std::unique_ptr<ModuleInstance> instantiate(const plan::Plan& plan) const override;
  std::optional<plan::Problem> check(const plan::Action& action) const override;
  const CommandSpec* on_connect_spec() const override {
    return connect_spec_ ? &*connect_spec_ : nullptr;
  }
  std::optional<plan::Problem> check_on_connect(const plan::Value& settings) const override;
  Hooks hooks(const plan::Plan& plan) const override;
  ProtocolDefaults defaults() const override { return protocol_.defaults(); }
  std::size_t default_max_reply() const override {
    const std::size_t bytes = protocol_.defaults().max_reply_bytes;
    return bytes != 0 ? bytes : kDefaultMaxReply;
  }
  int default_rcvbuf() const override {
    const int bytes = protocol_.defaults().rcvbuf;
    return bytes >= 0 ? bytes : kDefaultRcvbuf;
  }
  std::string row_name(const plan::Action& action) const override;

  /// The protocol it is made of.
  const Protocol& protocol() const noexcept { return protocol_; }

 private:
  /// The command of `action`, bound (throws BindError).
  std::unique_ptr<BoundCommand> bind(const plan::Action& action) const;
  std::unique_ptr<ConnectionSetup> bind_connection(const plan::Value& settings) const;
  std::unique_ptr<ConnectionSetup> bind_connection(const plan::Plan& plan) const;

  const Protocol& protocol_;                 // what it is made of
  std::string name_;                         // the protocol's name
  CommandTable table_;                       // its commands, `pipeline` included
  std::optional<CommandSpec> connect_spec_;  // its on_connect settings, if any
};

}  // namespace swarm::protocol::builtin
