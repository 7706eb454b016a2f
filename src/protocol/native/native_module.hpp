// NativeModule: a module whose commands are C++ coroutines listed in a
// ModuleDefinition (include/swarm/module.hpp). A NAME.so brings its
// definition through a NativeLibrary (load_native_module); a definition
// compiled in can be given directly (tests), with typed args.
#pragma once

#include <memory>
#include <string>

#include "protocol/module.hpp"
#include "protocol/native/native_library.hpp"
#include "swarm/module.hpp"

namespace swarm::protocol {

class NativeModule final : public Module {
 public:
  /// A module named `name` offering `definition`'s commands, with the args
  /// `commands` declares (every command of one must be in the other).
  /// `library`, when given, is what the definition lives in: kept open as
  /// long as the module. Throws std::invalid_argument when the definition
  /// and the table do not match, or a command has no name or coroutine.
  NativeModule(std::string name, const ModuleDefinition& definition, CommandTable commands,
               std::unique_ptr<NativeLibrary> library = nullptr);

  const std::string& name() const override { return name_; }
  const CommandTable& commands() const override { return commands_; }
  std::unique_ptr<ModuleInstance> instantiate(const plan::Plan& plan) const override;

 private:
  const CommandEntry* find(const std::string& command) const;

  std::unique_ptr<NativeLibrary> library_;  // the .so, if any: closed last
  std::string name_;                        // the module's name
  const ModuleDefinition* definition_;      // its commands' coroutines
  CommandTable commands_;                   // their names and args
};

/// The command table a definition declares: each command's accepted arg
/// names (any type), or any args when it lists none.
CommandTable command_table(const ModuleDefinition& definition);

/// Loads NAME.so at `path` as module `name`. Throws std::runtime_error
/// naming the file and the problem.
std::unique_ptr<Module> load_native_module(std::string name, const std::string& path);

}  // namespace swarm::protocol
