// A native protocol module: NAME.so, loaded with dlopen, offering C++
// coroutine commands through swarm_module() (include/swarm/module.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "protocol/module.hpp"
#include "swarm/module.hpp"

namespace swarm::protocol {

class NativeModule final : public Module {
 public:
  /// Loads `path`. Throws std::runtime_error naming the file and the problem
  /// (dlopen's message, a missing swarm_module, another ABI version).
  NativeModule(std::string name, std::string path);
  ~NativeModule() override;
  NativeModule(const NativeModule&) = delete;
  NativeModule& operator=(const NativeModule&) = delete;

  const std::string& name() const override { return name_; }
  const CommandTable& commands() const override { return commands_; }
  std::unique_ptr<ModuleInstance> instantiate(const plan::Plan& plan) const override;

 private:
  const CommandEntry* find(const std::string& command) const;

  std::string name_;                    // the module's name
  void* library_ = nullptr;             // dlopen's handle, closed last
  const ModuleDefinition* definition_;  // the module's commands
  CommandTable commands_;               // their names and args
};

/// An action's args as the text a native command sees ("[1, 2]" for lists).
Args to_native_args(const plan::Value& args);

}  // namespace swarm::protocol
