#include "protocol/native/native_module.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <utility>

#include "protocol/native/native_args.hpp"
#include "protocol/native/native_instance.hpp"

namespace swarm::protocol {

NativeModule::NativeModule(std::string name, const ModuleDefinition& definition,
                           CommandTable commands, std::unique_ptr<NativeLibrary> library)
    : library_(std::move(library)),
      name_(std::move(name)),
      definition_(&definition),
      commands_(std::move(commands)) {
  for (std::size_t i = 0; i < definition.command_count; ++i) {
    const CommandEntry& entry = definition.commands[i];
    if (entry.name == nullptr || entry.run == nullptr) {
      throw std::invalid_argument(fmt::format("command {} has no name or no coroutine", i + 1));
    }
    if (commands_.find(entry.name) == nullptr) {
      throw std::invalid_argument(
          fmt::format("command '{}' is missing from the table", entry.name));
    }
  }
  for (const CommandSpec& command : commands_.all()) {
    if (find(command.name) == nullptr) {
      throw std::invalid_argument(fmt::format("command '{}' has no coroutine", command.name));
    }
  }
}

const CommandEntry* NativeModule::find(const std::string& command) const {
  for (std::size_t i = 0; i < definition_->command_count; ++i) {
    if (command == definition_->commands[i].name) return &definition_->commands[i];
  }
  return nullptr;
}

std::unique_ptr<ModuleInstance> NativeModule::instantiate(const plan::Plan& plan) const {
  std::vector<NativeInstance::Bound> actions;
  for (const plan::Action& action : plan.actions) {
    const CommandEntry* entry = find(action.command);
    if (entry == nullptr) throw std::runtime_error("unknown command '" + action.command + "'");
    actions.push_back({action.command, entry->run, to_native_args(action.args)});
  }
  return std::make_unique<NativeInstance>(std::move(actions), definition_->hooks,
                                          definition_->forget_connection);
}

CommandTable command_table(const ModuleDefinition& definition) {
  std::vector<CommandSpec> commands;
  for (std::size_t i = 0; i < definition.command_count; ++i) {
    const CommandEntry& entry = definition.commands[i];
    CommandSpec command{entry.name != nullptr ? entry.name : "", std::nullopt};
    if (entry.accepted_args != nullptr) {
      command.args.emplace();
      for (const char* const* arg = entry.accepted_args; *arg != nullptr; ++arg) {
        command.args->push_back({*arg});
      }
    }
    commands.push_back(std::move(command));
  }
  return CommandTable(std::move(commands));
}

std::unique_ptr<Module> load_native_module(std::string name, const std::string& path) {
  auto library = std::make_unique<NativeLibrary>(path);
  const ModuleDefinition& definition = library->definition();
  try {
    return std::make_unique<NativeModule>(std::move(name), definition, command_table(definition),
                                          std::move(library));
  } catch (const std::invalid_argument& problem) {
    throw std::runtime_error(fmt::format("{}: {}", path, problem.what()));
  }
}

}  // namespace swarm::protocol
