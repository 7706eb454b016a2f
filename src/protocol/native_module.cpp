#include "protocol/native_module.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <type_traits>

namespace swarm::protocol {
namespace {

std::string flow_text(const plan::Value& value);

std::string flow_text(const plan::List& list) {
  std::string text = "[";
  for (std::size_t i = 0; i < list.size(); ++i) text += (i ? ", " : "") + flow_text(list[i]);
  return text + "]";
}

std::string flow_text(const plan::Map& map) {
  std::string text = "{";
  for (std::size_t i = 0; i < map.size(); ++i) {
    text += (i ? ", " : "") + map[i].first + ": " + flow_text(map[i].second);
  }
  return text + "}";
}

std::string flow_text(const plan::Value& value) {
  return std::visit(
      [](const auto& item) -> std::string {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "null";
        else if constexpr (std::is_same_v<T, bool>)
          return item ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>)
          return item;
        else if constexpr (std::is_same_v<T, plan::List> || std::is_same_v<T, plan::Map>)
          return flow_text(item);
        else
          return fmt::format("{}", item);
      },
      value.data);
}

/// One worker's view of a native module: each action's command and args.
class NativeInstance final : public ModuleInstance {
 public:
  struct Bound {
    std::string name;  // the command, for messages
    Command run;       // the module's coroutine
    Args args;         // the action's args, converted once
  };
  explicit NativeInstance(std::vector<Bound> actions) : actions_(std::move(actions)) {}

  Task<CommandOutcome> run(std::size_t action, Client& client) override {
    // The engine's client knows how the command's I/O ended: the module
    // reports only what was thrown.
    const Bound& bound = actions_[action];
    std::string failure;
    try {
      co_await bound.run(client, bound.args);
    } catch (const std::exception& error) {
      failure = bound.name + ": " + error.what();
    } catch (...) {
      failure = bound.name + ": unknown exception";
    }
    if (failure.empty()) co_return CommandOutcome{};
    co_return CommandOutcome{CommandOutcome::Kind::script_error, std::move(failure)};
  }

 private:
  std::vector<Bound> actions_;  // by plan action index
};

}  // namespace

Args to_native_args(const plan::Value& args) {
  std::vector<std::pair<std::string, std::string>> entries;
  if (const plan::Map* map = args.as_map()) {
    for (const auto& [key, value] : *map) entries.emplace_back(key, flow_text(value));
  }
  return Args(std::move(entries));
}

NativeModule::NativeModule(std::string name, std::string path) : name_(std::move(name)) {
  library_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library_ == nullptr) throw std::runtime_error(fmt::format("cannot load {}", ::dlerror()));
  auto* entry = reinterpret_cast<const ModuleDefinition* (*)()>(::dlsym(library_, "swarm_module"));
  if (entry == nullptr) {
    ::dlclose(library_);
    throw std::runtime_error(
        fmt::format("{} has no swarm_module() (see SWARM_MODULE in "
                    "include/swarm/module.hpp)",
                    path));
  }
  definition_ = entry();
  if (definition_ == nullptr || definition_->abi_version != kModuleAbiVersion) {
    ::dlclose(library_);
    throw std::runtime_error(
        fmt::format("{} was built for another swarm module interface "
                    "(rebuild it against this swarm's headers)",
                    path));
  }
  std::vector<CommandSpec> commands;
  for (std::size_t i = 0; i < definition_->command_count; ++i) {
    const CommandEntry& entry_i = definition_->commands[i];
    CommandSpec command{entry_i.name, std::nullopt};
    if (entry_i.accepted_args != nullptr) {
      command.args.emplace();
      for (const char* const* arg = entry_i.accepted_args; *arg != nullptr; ++arg) {
        command.args->push_back({*arg});
      }
    }
    commands.push_back(std::move(command));
  }
  commands_ = CommandTable(std::move(commands));
}

NativeModule::~NativeModule() {
  ::dlclose(library_);
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
  return std::make_unique<NativeInstance>(std::move(actions));
}

}  // namespace swarm::protocol
