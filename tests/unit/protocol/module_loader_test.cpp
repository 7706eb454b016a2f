// Finding a module: a file in --protocol-dir wins over a built-in protocol
// of the same name; a built-in is a NativeModule made from a compiled-in
// definition, with typed args and no dlopen.
#include "protocol/module_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "fake_client.hpp"
#include "lua_fixture.hpp"
#include "protocol/native/native_module.hpp"
#include "swarm/reply_parsers.hpp"

namespace swarm::protocol {
namespace {

using testing::action;
using ::testing::HasSubstr;

/// A trivial protocol, as a built-in one is written: a command table of
/// coroutines and typed args.
Task<void> echo(Client& client, const Args& args) {
  CrlfParser line;
  Reply reply = co_await client.send_for_reply(std::string(*args.find("text")) + "\r\n", line);
  if (reply.status == IoStatus::ok && reply.data != std::string(*args.find("text")) + "\r\n") {
    throw std::runtime_error("echoed something else");
  }
}

const CommandEntry kEchoCommands[] = {{"echo", echo, nullptr}};
const ModuleDefinition kEcho{kModuleAbiVersion, kVersion, kEchoCommands, 1, nullptr};

std::unique_ptr<Module> make_echo() {
  return std::make_unique<NativeModule>(
      "echo", kEcho, CommandTable({{"echo", std::vector<ArgSpec>{{"text", ArgType::text, true}}}}));
}

const std::array<BuiltinProtocol, 1> kBuiltins = {{{"echo", "says it back", make_echo}}};

class ModuleLoaderTest : public testing::LuaTest {};

TEST_F(ModuleLoaderTest, ABuiltInNeedsNoFile) {
  auto module = load_module(dir(), "echo", kBuiltins);
  EXPECT_EQ(module->name(), "echo");
  EXPECT_EQ(module->commands().names(), std::vector<std::string>{"echo"});
  EXPECT_EQ(load_module("", "echo", kBuiltins)->name(), "echo");  // no --protocol-dir
}

TEST_F(ModuleLoaderTest, ABuiltInChecksTypedArgsAndRuns) {
  auto module = load_module("", "echo", kBuiltins);
  EXPECT_EQ(module->check(action("echo")), "command 'echo' needs arg 'text' (text)");
  EXPECT_EQ(module->check(action("echo", {{"text", plan::Value{plan::List{}}}})),
            "command 'echo' arg 'text': expected text, got a list");
  plan::Plan plan;
  plan.actions = {action("echo", {{"text", plan::Value{std::string("hi")}}})};
  ASSERT_EQ(module->check(plan.actions[0]), std::nullopt);
  auto instance = module->instantiate(plan);
  testing::FakeClient client;
  client.incoming = "hi\r\nho\r\n";
  EXPECT_EQ(testing::run_now(*instance, 0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent, std::vector<std::string>{"hi\r\n"});
  CommandOutcome outcome = testing::run_now(*instance, 0, client);
  EXPECT_EQ(outcome.kind, CommandOutcome::Kind::script_error);
  EXPECT_EQ(outcome.message, "echo: echoed something else");
}

TEST_F(ModuleLoaderTest, AFileOfTheSameNameWins) {
  write("echo.lua", "return { shout = function(client) end }\n");
  auto module = load_module(dir(), "echo", kBuiltins);
  EXPECT_EQ(module->commands().names(), std::vector<std::string>{"shout"});
}

TEST_F(ModuleLoaderTest, NotFoundNamesTheBuiltIns) {
  try {
    load_module(dir(), "nothing", kBuiltins);
    FAIL() << "loaded a module that does not exist";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), "protocol module 'nothing' not found: neither " + dir() +
                                             "/nothing.lua nor " + dir() +
                                             "/nothing.so exists (built in: echo)");
  }
  EXPECT_THROW(
      {
        try {
          load_module("", "nothing", kBuiltins);
        } catch (const std::runtime_error& error) {
          EXPECT_THAT(error.what(), HasSubstr("no --protocol-dir, and no built-in protocol"));
          throw;
        }
      },
      std::runtime_error);
}

TEST_F(ModuleLoaderTest, ADefinitionAndATableThatDisagreeAreRefused) {
  EXPECT_THROW(NativeModule("echo", kEcho, CommandTable({{"other", std::nullopt}})),
               std::invalid_argument);
  EXPECT_THROW(NativeModule("echo", kEcho, CommandTable()), std::invalid_argument);
}

}  // namespace
}  // namespace swarm::protocol
