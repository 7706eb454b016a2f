// examples/protocols/native/durian.cpp against examples/protocols/durian.lua,
// command by command on the same scripted replies: the same requests, the
// same outcomes and the same error messages (Lua's may carry a "file:line: "
// prefix), the same args accepted, and per-connection state forgotten the
// same way when a connection closes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fake_client.hpp"
#include "lua_fixture.hpp"
#include "protocol/module_loader.hpp"

namespace swarm::protocol {
namespace {

using testing::action;
using testing::FakeClient;
using testing::run_now;
using Kind = CommandOutcome::Kind;

plan::Map args(std::vector<std::pair<std::string, plan::Value>> entries) {
  return plan::Map(std::move(entries));
}
plan::Value text(std::string value) {
  return plan::Value{std::move(value)};
}
plan::Value number(std::int64_t value) {
  return plan::Value{value};
}

/// The same plan on both modules; each case runs a list of its actions on one
/// fresh client per module and compares what happened.
class NativeDurianTest : public ::testing::Test {
 protected:
  struct Seen {
    std::vector<std::string> sent;         // requests, in order
    std::vector<CommandOutcome> outcomes;  // one per action run
    int closes = 0;                        // close_connection() calls
  };

  void load(std::vector<plan::Action> actions) {
    plan_.protocol = "durian";
    plan_.actions = std::move(actions);
    lua_module_ = load_module(SWARM_EXAMPLE_PROTOCOLS, "durian");
    native_module_ = load_module(SWARM_NATIVE_MODULES, "durian");
    for (const plan::Action& a : plan_.actions) {
      ASSERT_EQ(lua_module_->check(a), std::nullopt) << a.command;
      ASSERT_EQ(native_module_->check(a), std::nullopt) << a.command;
    }
    lua_ = lua_module_->instantiate(plan_);
    native_ = native_module_->instantiate(plan_);
  }

  /// Runs `indices` on one client of `instance` that receives `incoming`.
  static Seen run(ModuleInstance& instance, const std::vector<std::size_t>& indices,
                  const std::string& incoming, std::uint64_t id = 1) {
    FakeClient client(id);
    client.incoming = incoming;
    client.chunk = 5;  // replies arrive in pieces, as from the network
    Seen seen;
    for (std::size_t index : indices) seen.outcomes.push_back(run_now(instance, index, client));
    seen.sent = client.sent;
    seen.closes = client.closes;
    instance.forget_connection(id);  // the connection closes, as the engine would
    return seen;
  }

  /// Both modules do the same with `indices` on `incoming`; returns the
  /// native module's view.
  Seen expect_same(const std::vector<std::size_t>& indices, const std::string& incoming) {
    Seen lua = run(*lua_, indices, incoming);
    Seen native = run(*native_, indices, incoming);
    EXPECT_EQ(native.sent, lua.sent);
    EXPECT_EQ(native.closes, lua.closes);
    EXPECT_EQ(native.outcomes.size(), lua.outcomes.size());
    for (std::size_t i = 0; i < std::min(native.outcomes.size(), lua.outcomes.size()); ++i) {
      expect_same_outcome(native.outcomes[i], lua.outcomes[i]);
    }
    return native;
  }

  static void expect_same_outcome(const CommandOutcome& native, const CommandOutcome& lua) {
    EXPECT_EQ(native.kind, lua.kind) << "native: " << native.message << "\nlua: " << lua.message;
    // The command's name comes first for both; Lua's error() may add
    // "durian.lua:LINE: " after it.
    const std::string& n = native.message;
    const std::string& l = lua.message;
    EXPECT_TRUE(n == l || (l.size() > n.size() && l.ends_with(n.substr(n.find(": ") + 2)) &&
                           l.starts_with(n.substr(0, n.find(": ") + 2))))
        << "native: " << n << "\nlua:    " << l;
  }

  plan::Plan plan_;
  std::unique_ptr<Module> lua_module_, native_module_;
  std::unique_ptr<ModuleInstance> lua_, native_;
};

TEST_F(NativeDurianTest, OffersTheSameCommandsWithTheSameArgs) {
  auto native = load_module(SWARM_NATIVE_MODULES, "durian");
  auto lua = load_module(SWARM_EXAMPLE_PROTOCOLS, "durian");
  ASSERT_EQ(native->commands().names(), lua->commands().names());
  for (const CommandSpec& command : lua->commands().all()) {
    const CommandSpec* same = native->commands().find(command.name);
    ASSERT_NE(same, nullptr) << command.name;
    ASSERT_EQ(same->args.has_value(), command.args.has_value()) << command.name;
    if (!command.args) continue;
    std::vector<std::string> lua_args, native_args;
    for (const ArgSpec& arg : *command.args) lua_args.push_back(arg.name);
    for (const ArgSpec& arg : *same->args) native_args.push_back(arg.name);
    std::sort(lua_args.begin(), lua_args.end());
    std::sort(native_args.begin(), native_args.end());
    EXPECT_EQ(native_args, lua_args) << command.name;
  }
}

TEST_F(NativeDurianTest, SendsTheSameRequestsAsTheExamplePlan) {
  load({action("heartbeat", args({{"uid", number(123)}})),
        action("enter_chatroom", args({{"uid", number(123)}, {"rid", number(7)}})),
        action("send_message", args({{"text", text("hi there")}})),
        action("leave_chatroom", args({{"uid", number(123)}})), action("enter_chatroom"),
        action("send_message")});
  Seen seen = expect_same({0, 1, 2, 3, 4, 5},
                          "+OK heartbeat\r\n+OK entered 7\r\n+OK sent 1\r\n+OK left 7\r\n"
                          "+OK entered 0\r\n+OK sent 1\r\n");
  EXPECT_THAT(seen.sent, ::testing::ElementsAre("heartbeat\r\n", "enter_chatroom 7\r\n",
                                                "send_message hi there\r\n", "leave_chatroom\r\n",
                                                "enter_chatroom\r\n", "send_message hello\r\n"));
  for (const CommandOutcome& outcome : seen.outcomes) EXPECT_EQ(outcome.kind, Kind::ok);
}

TEST_F(NativeDurianTest, NumbersInArgsAreWrittenTheSameWay) {
  load({action("enter_chatroom", args({{"rid", plan::Value{7.0}}})),
        action("send_message", args({{"text", plan::Value{2.5}}})),
        action("send_message", args({{"text", number(-40)}})),
        action("send_message", args({{"text", plan::Value{true}}}))});
  expect_same({0, 1, 2, 3}, "+OK entered 7\r\n+OK sent 1\r\n+OK sent 1\r\n+OK sent 1\r\n");
}

TEST_F(NativeDurianTest, AnErrorReplyIsTheSameScriptError) {
  load({action("leave_chatroom"), action("send_message", args({{"text", text("x")}}))});
  Seen seen = expect_same({0, 1}, "-ERR not in a chatroom\r\n-ERR not in a chatroom\r\n");
  EXPECT_EQ(seen.outcomes[0].kind, Kind::script_error);
  EXPECT_EQ(seen.outcomes[0].message, "leave_chatroom: unexpected reply: -ERR not in a chatroom");
}

TEST_F(NativeDurianTest, LoginKeepsTheTokenForWhoamiOnThatConnectionOnly) {
  load({action("login", args({{"uid", text("ann")}})), action("whoami")});
  Seen seen = expect_same({0, 1}, "+OK token 616e6e0123456789abcdef\r\n+OK uid ann\r\n");
  EXPECT_THAT(seen.sent,
              ::testing::ElementsAre("login ann\r\n", "whoami 616e6e0123456789abcdef\r\n"));
  EXPECT_EQ(seen.outcomes[1].kind, Kind::ok);
  // Another connection has no token; neither has this one once it closed.
  for (ModuleInstance* instance : {lua_.get(), native_.get()}) {
    FakeClient other(2);
    EXPECT_EQ(run_now(*instance, 1, other).kind, Kind::script_error);
    FakeClient client(3);
    client.incoming = "+OK token 616e6e00\r\n+OK uid ann\r\n";
    EXPECT_EQ(run_now(*instance, 0, client).kind, Kind::ok);
    EXPECT_EQ(run_now(*instance, 1, client).kind, Kind::ok);
    instance->forget_connection(3);
    CommandOutcome after = run_now(*instance, 1, client);
    EXPECT_EQ(after.kind, Kind::script_error);
    EXPECT_THAT(after.message, ::testing::HasSubstr("whoami before login on this connection"));
  }
}

TEST_F(NativeDurianTest, LoginProblemsAreTheSameScriptErrors) {
  load({action("login"), action("login", args({{"uid", text("ann")}})), action("whoami")});
  Seen seen = expect_same({0, 1, 2}, "+OK welcome\r\n");
  EXPECT_EQ(seen.outcomes[0].message, "login: login needs args.uid");
  EXPECT_EQ(seen.outcomes[1].message, "login: login: no token in reply: +OK welcome");
  EXPECT_EQ(seen.outcomes[2].message, "whoami: whoami before login on this connection");
}

TEST_F(NativeDurianTest, AFailedCallOrACloseEndsTheCommandQuietly) {
  // The engine counts the failed I/O; the command just returns, without
  // an error of its own, and a failed login keeps no token.
  load({action("heartbeat"), action("close_connection"),
        action("login", args({{"uid", text("a")}})), action("whoami")});
  for (ModuleInstance* instance : {lua_.get(), native_.get()}) {
    FakeClient client;
    client.fail_next = IoStatus::timeout;
    EXPECT_EQ(run_now(*instance, 0, client).kind, Kind::ok);
    EXPECT_EQ(run_now(*instance, 1, client).kind, Kind::ok);
    EXPECT_EQ(client.closes, 1);
    client.fail_next = IoStatus::closed;
    EXPECT_EQ(run_now(*instance, 2, client).kind, Kind::ok);
    EXPECT_EQ(run_now(*instance, 3, client).kind, Kind::script_error);
    EXPECT_EQ(client.sent, (std::vector<std::string>{"heartbeat\r\n", "login a\r\n"}));
    instance->forget_connection(client.id());
  }
}

TEST_F(NativeDurianTest, AcceptsAndRefusesTheSameArgs) {
  auto lua = load_module(SWARM_EXAMPLE_PROTOCOLS, "durian");
  auto native = load_module(SWARM_NATIVE_MODULES, "durian");
  const std::vector<plan::Action> actions = {
      action("heartbeat", args({{"uid", number(1)}})),
      action("heartbeat", args({{"rid", number(1)}})),
      action("enter_chatroom", args({{"rid", number(1)}, {"uid", number(1)}})),
      action("enter_chatroom", args({{"text", text("x")}})),
      action("leave_chatroom", args({{"uid", number(1)}})),
      action("send_message", args({{"text", text("x")}})),
      action("send_message", args({{"uid", number(1)}})),
      action("login", args({{"uid", number(1)}})),
      action("whoami", args({{"uid", number(1)}})),
      action("close_connection", args({{"x", number(1)}})),
      action("create_chatroom")};
  for (const plan::Action& a : actions) {
    EXPECT_EQ(native->check(a).has_value(), lua->check(a).has_value())
        << a.command << ": native "
        << native->check(a).value_or(plan::Problem{{}, "accepts"}).message << ", lua "
        << lua->check(a).value_or(plan::Problem{{}, "accepts"}).message;
  }
}

}  // namespace
}  // namespace swarm::protocol
