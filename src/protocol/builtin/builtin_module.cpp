#include "protocol/builtin/builtin_module.hpp"

#include <fmt/format.h>

#include <utility>

#include "protocol/builtin/builtin_instance.hpp"

namespace swarm::protocol::builtin {
namespace {

/// The protocol's commands as the table checks them: `pipeline` added to
/// those that take it.
CommandTable table_of(const Protocol& protocol) {
  std::vector<CommandSpec> specs;
  for (const CommandDef& def : protocol.commands()) {
    CommandSpec spec = def.spec;
    if (!spec.args) spec.args.emplace();
    if (def.pipelined) {
      spec.args->push_back({"pipeline", ArgType::integer, false,
                            "requests sent together, their replies awaited (default 1)"});
    }
    specs.push_back(std::move(spec));
  }
  return CommandTable(std::move(specs));
}

std::optional<CommandSpec> connect_spec_of(const Protocol& protocol) {
  auto args = protocol.on_connect_args();
  if (!args) return std::nullopt;
  return CommandSpec{"on_connect", std::move(args), "settings for every new connection"};
}

const CommandDef* find_def(const Protocol& protocol, std::string_view name) {
  for (const CommandDef& def : protocol.commands()) {
    if (def.spec.name == name) return &def;
  }
  return nullptr;
}

plan::Problem problem_of(const BindError& error) {
  return plan::Problem{error.where(), error.what()};
}

}  // namespace

BuiltinModule::BuiltinModule(const Protocol& protocol)
    : protocol_(protocol),
      name_(protocol.name()),
      table_(table_of(protocol)),
      connect_spec_(connect_spec_of(protocol)) {}

std::unique_ptr<BoundCommand> BuiltinModule::bind(const plan::Action& action) const {
  const CommandDef* def = find_def(protocol_, action.command);
  if (def == nullptr) throw BindError({}, fmt::format("unknown command '{}'", action.command));
  ArgReader args(action.command, action.args);
  auto pipeline =
      static_cast<std::uint32_t>(def->pipelined ? args.integer("pipeline", 1, kMaxPipeline, 1) : 1);
  return def->bind(args, pipeline);
}

std::unique_ptr<ConnectionSetup> BuiltinModule::bind_connection(const plan::Value& settings) const {
  return protocol_.bind_connection(ArgReader("on_connect", settings));
}

std::unique_ptr<ConnectionSetup> BuiltinModule::bind_connection(const plan::Plan& plan) const {
  return protocol_.bind_plan_connection(ArgReader("on_connect", plan.on_connect), plan.actions);
}

std::optional<plan::Problem> BuiltinModule::check(const plan::Action& action) const {
  if (auto problem = commands().check(name(), action)) return problem;
  try {
    bind(action);
  } catch (const BindError& error) {
    return problem_of(error);
  }
  return std::nullopt;
}

std::optional<plan::Problem> BuiltinModule::check_on_connect(const plan::Value& settings) const {
  if (auto problem = Module::check_on_connect(settings)) return problem;
  try {
    bind_connection(settings);
  } catch (const BindError& error) {
    return problem_of(error);
  }
  return std::nullopt;
}

std::string BuiltinModule::row_name(const plan::Action& action) const {
  const CommandDef* def = find_def(protocol_, action.command);
  if (def == nullptr || def->row == nullptr) return action.command;
  return def->row(ArgReader(action.command, action.args));
}

Hooks BuiltinModule::hooks(const plan::Plan& plan) const {
  std::unique_ptr<ConnectionSetup> setup = bind_connection(plan);
  if (!setup) return {};
  return {setup->has_on_connect(), setup->idle_period() > std::chrono::nanoseconds::zero()};
}

std::unique_ptr<ModuleInstance> BuiltinModule::instantiate(const plan::Plan& plan) const {
  std::vector<BuiltinInstance::Bound> actions;
  actions.reserve(plan.actions.size());
  try {
    for (const plan::Action& action : plan.actions) {
      actions.push_back({action.command, bind(action)});
    }
    return std::make_unique<BuiltinInstance>(protocol_, std::move(actions), bind_connection(plan));
  } catch (const BindError& error) {
    throw std::runtime_error(error.what());  // check() found it first, in a checked plan
  }
}

Task<void> ConnectionSetup::on_idle(Call& call) const {
  static_cast<void>(call);
  co_return;
}

std::unique_ptr<ConnectionSetup> Protocol::bind_connection(const ArgReader& settings) const {
  static_cast<void>(settings);
  return nullptr;
}

}  // namespace swarm::protocol::builtin
