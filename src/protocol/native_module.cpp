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

/// The Client a native command gets: forwards every call and remembers how
/// the command's I/O ended, which the command itself only returns from.
class TrackingClient final : public Client {
 public:
  explicit TrackingClient(Client& inner) : inner_(inner) {}

  std::uint64_t id() const noexcept override { return inner_.id(); }
  Task<Reply> send_for_reply(std::string_view request, ReplyParser& parser) override {
    Reply reply = co_await inner_.send_for_reply(request, parser);
    note(reply.status);
    co_return reply;
  }
  Task<IoStatus> send_noreply(std::string_view request) override {
    co_return note(co_await inner_.send_noreply(request));
  }
  void close_connection() noexcept override {
    closed_ = true;
    inner_.close_connection();
  }
  Task<IoStatus> sleep(std::chrono::nanoseconds duration) override {
    co_return note(co_await inner_.sleep(duration));
  }

  bool closed() const noexcept { return closed_; }
  IoStatus failure() const noexcept { return failure_; }

 private:
  IoStatus note(IoStatus status) noexcept {
    if (failure_ == IoStatus::ok) failure_ = status;
    return status;
  }

  Client& inner_;                    // the connection
  IoStatus failure_ = IoStatus::ok;  // the first call that failed
  bool closed_ = false;              // close_connection() was called
};

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
    const Bound& bound = actions_[action];
    TrackingClient tracked(client);
    std::string failure;
    try {
      co_await bound.run(tracked, bound.args);
    } catch (const std::exception& error) {
      failure = bound.name + ": " + error.what();
    } catch (...) {
      failure = bound.name + ": unknown exception";
    }
    if (tracked.closed()) co_return CommandOutcome{CommandOutcome::Kind::closed, {}, {}};
    if (tracked.failure() != IoStatus::ok) {
      co_return CommandOutcome{CommandOutcome::Kind::io_error, tracked.failure(), {}};
    }
    if (!failure.empty()) {
      co_return CommandOutcome{CommandOutcome::Kind::script_error, IoStatus::ok, failure};
    }
    co_return CommandOutcome{};
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
}

NativeModule::~NativeModule() {
  ::dlclose(library_);
}

std::vector<std::string> NativeModule::commands() const {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < definition_->command_count; ++i) {
    names.emplace_back(definition_->commands[i].name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

const CommandEntry* NativeModule::find(const std::string& command) const {
  for (std::size_t i = 0; i < definition_->command_count; ++i) {
    if (command == definition_->commands[i].name) return &definition_->commands[i];
  }
  return nullptr;
}

std::optional<std::string> NativeModule::check(const plan::Action& action) const {
  const CommandEntry* entry = find(action.command);
  if (entry == nullptr) {
    return fmt::format("unknown command '{}' (module {} has: {})", action.command, name_,
                       fmt::join(commands(), ", "));
  }
  const plan::Map* args = action.args.as_map();
  if (args == nullptr && !action.args.is_null()) return std::string("args: expected a map");
  if (args == nullptr || entry->accepted_args == nullptr) return std::nullopt;
  for (const auto& [key, value] : *args) {
    bool known = false;
    std::vector<std::string> takes;
    for (const char* const* name = entry->accepted_args; *name != nullptr; ++name) {
      known = known || key == *name;
      takes.emplace_back(*name);
    }
    if (!known) {
      return fmt::format(
          "command '{}' does not take arg '{}' (takes: {})", action.command, key,
          takes.empty() ? std::string("none") : fmt::format("{}", fmt::join(takes, ", ")));
    }
  }
  return std::nullopt;
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
