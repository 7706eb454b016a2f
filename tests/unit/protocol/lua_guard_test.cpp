// What a Lua module may cost its worker: a command or parser that never
// returns, or that allocates without end, fails as a script error with its
// message, and the state goes on serving the next command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "fake_client.hpp"
#include "lua_fixture.hpp"

namespace swarm::protocol {
namespace {

using testing::action;
using testing::FakeClient;
using ::testing::HasSubstr;
using testing::run_now;
using Kind = CommandOutcome::Kind;
using namespace std::chrono_literals;

class LuaGuardTest : public testing::LuaTest {};

constexpr const char* kHazards = R"lua(local swarm = require("swarm")
local M = {}
function M.spin(client) while true do end end
function M.sneaky(client)
  while true do pcall(function() while true do end end) end
end
function M.hog(client)
  local t, i = {}, 0
  while true do i = i + 1; t[i] = string.rep("x", 1000) .. i end
end
function M.jit_on(client) jit.on() end
function M.hoard(client)
  local t = {}
  while true do t[#t + 1] = {} end
end
function M.ping(client)
  client:send_for_reply("PING\r\n", swarm.reply_parser_crlf())
end
function M.parse_forever(client)
  client:send_for_reply("PING\r\n", function(chunk) while true do end end)
end
return M
)lua";

LuaLimits fast_limits() {
  LuaLimits limits;
  limits.memory_bytes = 16 << 20;
  limits.call_time = 50ms;
  return limits;
}

/// After a failed command, the same state still serves a normal one.
void expect_still_serves(LuaInstance& lua, std::size_t ping) {
  FakeClient client;
  client.incoming = "+PONG\r\n";
  EXPECT_EQ(run_now(lua, ping, client).kind, Kind::ok);
  EXPECT_EQ(client.sent.size(), 1u);
}

TEST_F(LuaGuardTest, ACommandThatNeverReturnsIsStoppedAtTheLimit) {
  auto lua = instance(kHazards, {action("spin"), action("ping")}, fast_limits());
  FakeClient client;
  const auto started = std::chrono::steady_clock::now();
  const CommandOutcome outcome = run_now(*lua, 0, client);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 50ms);
  EXPECT_EQ(outcome.kind, Kind::script_error);
  EXPECT_THAT(outcome.message,
              HasSubstr("spin: test.lua:3: ran for more than 50ms without yielding (an endless "
                        "loop? see --lua-call-limit)"));
  expect_still_serves(*lua, 1);
}

TEST_F(LuaGuardTest, TheScriptsOwnPcallCannotCatchTheLimit) {
  auto lua = instance(kHazards, {action("sneaky"), action("ping")}, fast_limits());
  FakeClient client;
  const CommandOutcome outcome = run_now(*lua, 0, client);
  EXPECT_EQ(outcome.kind, Kind::script_error);
  EXPECT_THAT(outcome.message, HasSubstr("ran for more than 50ms without yielding"));
  expect_still_serves(*lua, 1);
}

TEST_F(LuaGuardTest, AParserThatNeverReturnsIsAScriptError) {
  auto lua = instance(kHazards, {action("parse_forever"), action("ping")}, fast_limits());
  FakeClient client;
  client.incoming = "+PONG\r\n";
  const CommandOutcome outcome = run_now(*lua, 0, client);
  EXPECT_EQ(outcome.kind, Kind::script_error);
  EXPECT_THAT(outcome.message, HasSubstr("reply parser: "));
  EXPECT_THAT(outcome.message, HasSubstr("ran for more than 50ms without yielding"));
  expect_still_serves(*lua, 1);
}

TEST_F(LuaGuardTest, ACommandAllocatingWithoutEndFailsAndItsGarbageIsCollected) {
  LuaLimits limits = fast_limits();
  limits.call_time = 10s;  // the memory limit comes first, however busy the machine
  auto lua = instance(kHazards, {action("hog"), action("ping")}, limits);
  const std::size_t before = lua->memory_bytes();
  for (int round = 0; round < 3; ++round) {
    FakeClient client;
    const CommandOutcome outcome = run_now(*lua, 0, client);
    EXPECT_EQ(outcome.kind, Kind::script_error);
    EXPECT_EQ(outcome.message,
              "hog: not enough memory (the Lua heap reached --lua-memory-limit 16MiB)");
    EXPECT_LT(lua->memory_bytes(), before + (1 << 20)) << "round " << round;
  }
  expect_still_serves(*lua, 1);
}

TEST_F(LuaGuardTest, GarbageLeftByCodeStoppedForTimeIsCollectedToo) {
  LuaLimits limits = fast_limits();
  limits.memory_bytes = std::size_t{1} << 30;
  auto lua = instance(kHazards, {action("hoard"), action("ping")}, limits);
  const std::size_t before = lua->memory_bytes();
  FakeClient client;
  const CommandOutcome outcome = run_now(*lua, 0, client);
  EXPECT_EQ(outcome.kind, Kind::script_error);
  EXPECT_THAT(outcome.message, HasSubstr("ran for more than 50ms without yielding"));
  EXPECT_LT(lua->memory_bytes(), before + (1 << 20));
  expect_still_serves(*lua, 1);
}

TEST_F(LuaGuardTest, TheJitStaysOffUnderATimeLimit) {
  auto lua = instance(kHazards, {action("jit_on")}, fast_limits());
  FakeClient client;
  const CommandOutcome outcome = run_now(*lua, 0, client);
  EXPECT_EQ(outcome.kind, Kind::script_error);
  EXPECT_THAT(outcome.message, HasSubstr("--lua-call-limit 0 turns the JIT on"));
}

TEST_F(LuaGuardTest, NoTimeLimitMeansTheJitIsOn) {
  LuaLimits limits;
  limits.call_time = 0ns;
  auto lua = instance(kHazards, {action("jit_on"), action("ping")}, limits);
  FakeClient client;
  EXPECT_EQ(run_now(*lua, 0, client).kind, Kind::ok);
  expect_still_serves(*lua, 1);
}

TEST_F(LuaGuardTest, AModuleThatLoopsWhileLoadingIsRefused) {
  LuaLimits limits = fast_limits();
  limits.load_time = 100ms;
  EXPECT_THAT(load_error("looping", "while true do end\nreturn {}\n", limits),
              HasSubstr("protocol module " + dir() +
                        "/looping.lua: looping.lua:1: ran for more than 100ms without yielding"));
}

TEST_F(LuaGuardTest, AModuleThatAllocatesWithoutEndWhileLoadingIsRefused) {
  EXPECT_THAT(load_error("greedy", "local t = {}\nfor i = 1, 1e9 do t[i] = {i} end\nreturn {}\n",
                         fast_limits()),
              HasSubstr("not enough memory (the Lua heap reached --lua-memory-limit 16MiB)"));
}

}  // namespace
}  // namespace swarm::protocol
