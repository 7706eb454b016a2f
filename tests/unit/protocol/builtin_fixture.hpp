// Running a built-in protocol's plan in a test: the plan as YAML (so that
// problems have real places), checked and instantiated, and its actions
// run on a FakeClient.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "fake_client.hpp"
#include "lua_fixture.hpp"
#include "plan/plan_loader.hpp"
#include "protocol/builtin/registry.hpp"
#include "protocol/module_loader.hpp"

namespace swarm::protocol::testing {

/// Runs `instance`'s on_connect (or, with `idle`, on_idle) hook on `client`
/// to its end; the client must not pause.
inline CommandOutcome hook_now(ModuleInstance& instance, Client& client, bool idle = false) {
  std::optional<CommandOutcome> outcome;
  spawn([](ModuleInstance& m, Client& c, bool i, std::optional<CommandOutcome>& out) -> Task<void> {
    // if/else, not ?: : GCC 12 miscompiles co_await in a conditional.
    if (i) {
      out = co_await m.on_idle(c);
    } else {
      out = co_await m.on_connect(c);
    }
  }(instance, client, idle, outcome));
  EXPECT_TRUE(outcome);
  return outcome.value_or(CommandOutcome{});
}

class BuiltinTest : public ::testing::Test {
 protected:
  /// Loads `yaml` (a whole plan) and checks it: the problems, one per line
  /// as swarm prints them, or "" when it is fine.
  std::string problems(const std::string& yaml) {
    try {
      load(yaml);
    } catch (const plan::PlanError& error) {
      return error.what();
    }
    return "";
  }

  /// Loads and checks `yaml`, and makes an instance of it.
  ModuleInstance& instance(const std::string& yaml) {
    load(yaml);
    instance_ = module_->instantiate(plan_);
    return *instance_;
  }

  /// Runs action `index` of the last instance on `client` to its end.
  CommandOutcome run(std::size_t index, FakeClient& client) {
    return run_now(*instance_, index, client);
  }

  std::unique_ptr<Module> module_;            // the plan's protocol
  plan::Plan plan_;                           // the last plan
  std::unique_ptr<ModuleInstance> instance_;  // the last instance

 private:
  void load(const std::string& yaml) {
    plan_ = plan::parse_plan(yaml, "plan.yml");
    module_ = load_module("", plan_.protocol);
    plan::validate_plan(
        plan_, [&](const plan::Action& action) { return module_->check(action); },
        [&](const plan::Value& settings) { return module_->check_on_connect(settings); });
  }
};

}  // namespace swarm::protocol::testing
