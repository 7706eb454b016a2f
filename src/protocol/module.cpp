#include "protocol/module.hpp"

#include <fmt/format.h>

namespace swarm::protocol {

Task<CommandOutcome> ModuleInstance::on_connect(Client& client) {
  static_cast<void>(client);
  co_return CommandOutcome{};
}

Task<CommandOutcome> ModuleInstance::on_idle(Client& client) {
  static_cast<void>(client);
  co_return CommandOutcome{};
}

std::optional<plan::Problem> Module::check_on_connect(const plan::Value& settings) const {
  const CommandSpec* spec = on_connect_spec();
  if (spec == nullptr) {
    if (settings.is_null()) return std::nullopt;
    return plan::Problem{settings.where,
                         fmt::format("protocol {} takes no on_connect settings", name())};
  }
  if (settings.is_null()) {
    // No settings: the required ones are missing all the same.
    return CommandTable::check_args(*spec, plan::Value{plan::Map{}, settings.where});
  }
  return CommandTable::check_args(*spec, settings);
}

std::vector<std::string> report_rows(const Module& module, const plan::Plan& plan) {
  const Hooks hooks = module.hooks(plan);
  std::vector<std::string> rows;
  rows.reserve(plan.actions.size() + 2);
  for (const plan::Action& action : plan.actions) rows.push_back(module.row_name(action));
  if (hooks.on_connect) rows.emplace_back("on_connect");
  if (hooks.on_idle) rows.emplace_back("on_idle");
  return rows;
}

}  // namespace swarm::protocol
