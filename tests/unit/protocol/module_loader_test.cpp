// Finding a module: a file in --protocol-dir wins over a built-in protocol
// of the same name (and says so); a built-in is compiled in, with typed
// args, and no dlopen.
#include "protocol/module_loader.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "fake_client.hpp"
#include "lua_fixture.hpp"
#include "problem_text.hpp"
#include "protocol/builtin/protocol.hpp"
#include "protocol/native/native_module.hpp"
#include "swarm/reply_parsers.hpp"
#include "swarm/version.hpp"

namespace swarm::protocol {
namespace {

using testing::action;
using ::testing::HasSubstr;

/// A trivial protocol, as a built-in one is written: `echo` sends its text
/// as a line and expects it back.
class Echo final : public builtin::RequestReply<CrlfParser> {
 public:
  Echo(builtin::TextTemplate text, std::uint32_t pipeline)
      : RequestReply(pipeline), text_(std::move(text)) {}

 private:
  void render(std::string& out, const builtin::Substitutions& with) const override {
    text_.render(out, with);
    out += "\r\n";
  }
  std::optional<std::string> check(std::string_view reply, Client&) const override {
    if (reply.starts_with("ho")) return "echoed something else";
    return std::nullopt;
  }
  builtin::TextTemplate text_;  // what to send
};

std::unique_ptr<builtin::BoundCommand> bind_echo(const builtin::ArgReader& args,
                                                 std::uint32_t pipeline) {
  return std::make_unique<Echo>(
      builtin::TextTemplate::compile(*args.text("text"), args.where("text"), args.what("text")),
      pipeline);
}

class EchoProtocol final : public builtin::Protocol {
 public:
  std::string_view name() const override { return "echo"; }
  std::string_view summary() const override { return "says it back"; }
  const std::vector<builtin::CommandDef>& commands() const override { return commands_; }

 private:
  std::vector<builtin::CommandDef> commands_{
      {{"echo", std::vector<ArgSpec>{{"text", ArgType::text, true}}}, bind_echo}};
};

const builtin::Protocol& echo_protocol() {
  static const EchoProtocol protocol;
  return protocol;
}

const std::array<BuiltinProtocol, 1> kBuiltins = {{{"echo", echo_protocol}}};

/// A native module made of a definition compiled in (as a NAME.so gives it).
Task<void> shout(Client& client, const Args& args) {
  CrlfParser line;
  co_await client.send_for_reply(std::string(*args.find("text")) + "!\r\n", line);
}
const CommandEntry kShoutCommands[] = {{"shout", shout, nullptr}};
const ModuleDefinition kShout{kModuleAbiVersion, kVersion, kShoutCommands, 1};

/// The same with hooks: pushes start with '>' and are answered at once.
ReplyParser* make_line_framer() {
  return new CrlfParser();
}
bool starts_with_arrow(Client&, std::string_view message) {
  return message.starts_with('>');
}
void ack(Client& client, std::string_view message) {
  if (message == ">bad\r\n") throw std::runtime_error("bad push");
  ++*static_cast<int*>(client.connection_state());
  client.send_now("ack\r\n");
}
const ModuleHooks kShoutHooks{sizeof(int), make_line_framer, starts_with_arrow, ack};
const ModuleDefinition kShoutWithHooks{kModuleAbiVersion, kVersion, kShoutCommands, 1,
                                       &kShoutHooks};

class ModuleLoaderTest : public testing::LuaTest {};

TEST_F(ModuleLoaderTest, ABuiltInNeedsNoFile) {
  auto module = load_module(dir(), "echo", kBuiltins);
  EXPECT_EQ(module->name(), "echo");
  EXPECT_EQ(module->commands().names(), std::vector<std::string>{"echo"});
  EXPECT_EQ(load_module("", "echo", kBuiltins)->name(), "echo");  // no --protocol-dir
}

TEST_F(ModuleLoaderTest, ABuiltInChecksTypedArgsAndRuns) {
  auto module = load_module("", "echo", kBuiltins);
  EXPECT_EQ(message_of(module->check(action("echo"))), "command 'echo' needs arg 'text' (text)");
  EXPECT_EQ(message_of(module->check(action("echo", {{"text", plan::Value{plan::List{}}}}))),
            "command 'echo' arg 'text': expected text, got a list");
  EXPECT_EQ(
      message_of(module->check(action("echo", {{"text", plan::Value{std::string("{rand:2}")}}}))),
      "command 'echo' arg 'text': bad substitution '{rand:2}' (expected {rand:LO-HI}, whole "
      "numbers, LO <= HI)");
  plan::Plan plan;
  plan.actions = {action("echo", {{"text", plan::Value{std::string("hi {id}")}}})};
  ASSERT_EQ(message_of(module->check(plan.actions[0])), std::nullopt);
  auto instance = module->instantiate(plan);
  testing::FakeClient client(7);
  client.incoming = "hi 7\r\nho\r\n";
  EXPECT_EQ(testing::run_now(*instance, 0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent, std::vector<std::string>{"hi 7\r\n"});
  CommandOutcome outcome = testing::run_now(*instance, 0, client);
  EXPECT_EQ(outcome.kind, CommandOutcome::Kind::script_error);
  EXPECT_EQ(outcome.message, "echo: echoed something else");
}

TEST_F(ModuleLoaderTest, AFileOfTheSameNameWinsAndSaysSo) {
  write("echo.lua", "return { shout = function(client) end }\n");
  std::string notice;
  auto module = load_module(dir(), "echo", kBuiltins, {}, &notice);
  EXPECT_EQ(module->commands().names(), std::vector<std::string>{"shout"});
  EXPECT_EQ(notice, "protocol echo: using " + dir() +
                        "/echo.lua, not the built-in echo (a file of that name wins)");
  notice.clear();
  load_module("", "echo", kBuiltins, {}, &notice);
  EXPECT_EQ(notice, "");
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
  EXPECT_THROW(NativeModule("shout", kShout, CommandTable({{"other", std::nullopt}})),
               std::invalid_argument);
  EXPECT_THROW(NativeModule("shout", kShout, CommandTable()), std::invalid_argument);
  EXPECT_NO_THROW(NativeModule("shout", kShout, CommandTable({{"shout", std::nullopt}})));
}

TEST_F(ModuleLoaderTest, ANativeModuleTakesPushesThroughItsHooks) {
  NativeModule plain("shout", kShout, CommandTable({{"shout", std::nullopt}}));
  plan::Plan plan;
  plan.actions = {action("shout", {{"text", plan::Value{std::string("hi")}}})};
  EXPECT_EQ(plain.instantiate(plan)->push_handler(), nullptr);
  EXPECT_EQ(plain.instantiate(plan)->connection_state_bytes(), 0u);

  NativeModule hooked("shout", kShoutWithHooks, CommandTable({{"shout", std::nullopt}}));
  auto instance = hooked.instantiate(plan);
  EXPECT_EQ(instance->connection_state_bytes(), sizeof(int));
  PushHandler* pushes = instance->push_handler();
  ASSERT_NE(pushes, nullptr);
  testing::FakeClient client;
  EXPECT_TRUE(pushes->is_push(client, ">x\r\n"));
  EXPECT_FALSE(pushes->is_push(client, "+OK\r\n"));
  EXPECT_EQ(pushes->on_push(client, ">x\r\n").kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent_now, std::vector<std::string>{"ack\r\n"});
  EXPECT_EQ(*reinterpret_cast<int*>(client.connection_state()), 1);
  CommandOutcome bad = pushes->on_push(client, ">bad\r\n");
  EXPECT_EQ(bad.kind, CommandOutcome::Kind::script_error);
  EXPECT_EQ(bad.message, "on_push: bad push");
  pushes->framer().begin();
  EXPECT_EQ(pushes->framer().feed(">a\r\n>b").consumed, 4u);
}

}  // namespace
}  // namespace swarm::protocol
