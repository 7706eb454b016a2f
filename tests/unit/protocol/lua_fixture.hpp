// Writing Lua modules to a temporary directory and running their commands to
// completion from a test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plan/plan.hpp"
#include "protocol/lua/lua_instance.hpp"
#include "protocol/module_loader.hpp"

namespace swarm::protocol::testing {

/// A fresh protocol dir per test.
class LuaTest : public ::testing::Test {
 protected:
  LuaTest() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) / "swarm-lua" /
           (std::string(info->test_suite_name()) + "." + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }

  void write(const std::string& file, const std::string& code) {
    std::ofstream(dir_ / file) << code;
  }
  std::string dir() const { return dir_.string(); }

  /// The message load_module() throws for module `name` written as `code`.
  std::string load_error(const std::string& name, const std::string& code,
                         const LuaLimits& limits = {}) {
    write(name + ".lua", code);
    try {
      load_module(dir(), name, builtin_protocols(), limits);
    } catch (const std::runtime_error& error) {
      return error.what();
    }
    ADD_FAILURE() << "no error loading " << name;
    return {};
  }

  /// Loads `code` as module "test" and instantiates it for a plan running
  /// `commands` (with no args) in that order.
  std::unique_ptr<LuaInstance> instance(const std::string& code, std::vector<plan::Action> actions,
                                        const LuaLimits& limits = {}) {
    write("test.lua", code);
    module_ = load_module(dir(), "test", builtin_protocols(), limits);
    plan_.protocol = "test";
    plan_.actions = std::move(actions);
    for (const plan::Action& action : plan_.actions) {
      if (auto problem = module_->check(action)) ADD_FAILURE() << problem->message;
    }
    auto made = module_->instantiate(plan_);
    return std::unique_ptr<LuaInstance>(static_cast<LuaInstance*>(made.release()));
  }

  std::filesystem::path dir_;       // the protocol dir
  std::unique_ptr<Module> module_;  // the last module loaded by instance()
  plan::Plan plan_;                 // the last plan
};

/// An action calling `command` with `args`.
inline plan::Action action(std::string command, plan::Map args = {}) {
  plan::Action made;
  made.command = std::move(command);
  made.args.data = std::move(args);
  return made;
}

/// Runs action `index` on `client` to its end (or to its first pause).
class Run {
 public:
  Run(ModuleInstance& instance, std::size_t index, Client& client) {
    spawn(drive(instance, index, client));
  }
  bool finished() const { return outcome_.has_value(); }
  const CommandOutcome& outcome() const { return *outcome_; }

 private:
  Task<void> drive(ModuleInstance& instance, std::size_t index, Client& client) {
    outcome_ = co_await instance.run(index, client);
  }
  std::optional<CommandOutcome> outcome_;  // set when the command ended
};

/// Runs action `index` on `client`, which must not pause.
inline CommandOutcome run_now(ModuleInstance& instance, std::size_t index, Client& client) {
  Run run(instance, index, client);
  EXPECT_TRUE(run.finished());
  return run.finished() ? run.outcome() : CommandOutcome{};
}

}  // namespace swarm::protocol::testing
