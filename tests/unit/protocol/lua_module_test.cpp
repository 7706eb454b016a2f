// Loading Lua modules and checking plan actions against them.
#include "protocol/lua/lua_module.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "lua_fixture.hpp"
#include "problem_text.hpp"
#include "protocol/module_loader.hpp"

namespace swarm::protocol {
namespace {

using testing::action;
using ::testing::HasSubstr;

class LuaModuleTest : public testing::LuaTest {};

constexpr const char* kDurian = R"lua(
local swarm = require("swarm")
local durian = { _args = { enter_chatroom = { "uid", "rid" }, leave_chatroom = {} } }
function durian.heartbeat(client) client:send_for_reply("heartbeat\r\n", swarm.reply_parser_crlf()) end
function durian.enter_chatroom(client, args) end
function durian.leave_chatroom(client) end
durian.version = 3
return durian
)lua";

TEST_F(LuaModuleTest, MissingFileSaysWhereItLooked) {
  try {
    load_module(dir(), "nothing");
    FAIL() << "loaded a module that does not exist";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), "protocol module 'nothing' not found: neither " + dir() +
                                             "/nothing.lua nor " + dir() +
                                             "/nothing.so exists (built in: memcached, redis, websocket)");
  }
}

TEST_F(LuaModuleTest, ABrokenNativeModuleSaysWhy) {
  write("fast.so", "not an ELF file");
  EXPECT_THROW(
      {
        try {
          load_module(dir(), "fast");
        } catch (const std::runtime_error& error) {
          EXPECT_THAT(error.what(), HasSubstr("cannot load"));
          EXPECT_THAT(error.what(), HasSubstr("fast.so"));
          throw;
        }
      },
      std::runtime_error);
}

TEST_F(LuaModuleTest, SyntaxErrorNamesFileAndLine) {
  std::string message =
      load_error("broken", "local M = {}\nfunction M.x(client)\n  y = = 1\nend\n");
  EXPECT_THAT(message, HasSubstr(dir() + "/broken.lua"));
  EXPECT_THAT(message, HasSubstr("broken.lua:3:"));
}

TEST_F(LuaModuleTest, RuntimeErrorWhileLoadingNamesFileAndLine) {
  std::string message = load_error("boom", "local M = {}\nlocal f\nf()\nreturn M\n");
  EXPECT_THAT(message, HasSubstr("boom.lua:3:"));
  EXPECT_THAT(message, HasSubstr("attempt to call"));
}

TEST_F(LuaModuleTest, ModuleMustReturnATableOfFunctions) {
  EXPECT_THAT(load_error("number", "return 42\n"), HasSubstr("must return a table"));
  EXPECT_THAT(load_error("nothing_returned", "local x = 1\n"), HasSubstr("not nil"));
  EXPECT_THAT(load_error("empty", "return { x = 1 }\n"), HasSubstr("no commands"));
}

TEST_F(LuaModuleTest, BadArgsDeclarationsAreLoadErrors) {
  EXPECT_THAT(load_error("a", "return { f = print, _args = 3 }"),
              HasSubstr("_args must be a table"));
  EXPECT_THAT(load_error("b", "return { f = print, _args = { g = {} } }"),
              HasSubstr("names 'g', which is not a command (has: f)"));
  EXPECT_THAT(load_error("c", "return { f = print, _args = { f = { 1 } } }"),
              HasSubstr("_args.f must be a list of arg names"));
}

TEST_F(LuaModuleTest, CommandsAreTheSortedFunctions) {
  write("durian.lua", kDurian);
  auto module = load_module(dir(), "durian");
  EXPECT_EQ(module->name(), "durian");
  EXPECT_EQ(module->commands().names(),
            (std::vector<std::string>{"enter_chatroom", "heartbeat", "leave_chatroom"}));
}

TEST_F(LuaModuleTest, UnknownCommandListsTheAvailableOnes) {
  write("durian.lua", kDurian);
  auto module = load_module(dir(), "durian");
  EXPECT_EQ(message_of(module->check(action("heartbeat"))), std::nullopt);
  EXPECT_EQ(message_of(module->check(action("create_chatroom"))),
            "unknown command 'create_chatroom' (module durian has: enter_chatroom, heartbeat, "
            "leave_chatroom)");
  EXPECT_NE(message_of(module->check(action("version"))), std::nullopt);  // not a function
}

TEST_F(LuaModuleTest, ArgsMustBeAMapping) {
  write("durian.lua", kDurian);
  auto module = load_module(dir(), "durian");
  plan::Action scalar = action("heartbeat");
  scalar.args.data = std::int64_t{5};
  EXPECT_THAT(message_of(module->check(scalar)).value_or(""), HasSubstr("must be a mapping"));
  plan::Action none = action("heartbeat");
  none.args.data = std::monostate{};
  EXPECT_EQ(message_of(module->check(none)), std::nullopt);
}

TEST_F(LuaModuleTest, DeclaredArgsRejectUnknownNames) {
  write("durian.lua", kDurian);
  auto module = load_module(dir(), "durian");
  plan::Value uid{std::int64_t{123}};
  EXPECT_EQ(message_of(module->check(action("enter_chatroom", {{"uid", uid}, {"rid", uid}}))),
            std::nullopt);
  EXPECT_EQ(message_of(module->check(action("enter_chatroom", {{"uid", uid}, {"room", uid}}))),
            "command 'enter_chatroom' does not take arg 'room' (takes: uid, rid)");
  EXPECT_EQ(message_of(module->check(action("leave_chatroom", {{"uid", uid}}))),
            "command 'leave_chatroom' does not take arg 'uid' (takes: no args)");
  EXPECT_EQ(message_of(module->check(action("heartbeat", {{"anything", uid}}))), std::nullopt);
}

TEST_F(LuaModuleTest, LoadsExactlyTheFileInTheProtocolDir) {
  // A module named like a standard library must still be the file in DIR.
  write("string.lua", "return { mine = function() end }\n");
  auto module = load_module(dir(), "string");
  EXPECT_EQ(module->commands().names(), (std::vector<std::string>{"mine"}));
}

}  // namespace
}  // namespace swarm::protocol
