// Running Lua commands against an in-memory client: what the client methods
// do, how commands end, and how coroutines are reused.
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
using ::testing::StartsWith;
using Kind = CommandOutcome::Kind;

class LuaClientTest : public testing::LuaTest {};

constexpr const char* kChat = R"lua(local swarm = require("swarm")
local chat = {}
function chat.login(client, args)
  local reply = client:send_for_reply("login " .. args.user .. "\r\n", swarm.reply_parser_crlf())
  client.state.token = reply:match("^OK (%w+)")
end
function chat.post(client, args)
  client:send_for_reply("post " .. client.state.token .. " " .. args.text .. " #" .. client.id .. "\r\n",
                        swarm.reply_parser_crlf())
end
function chat.shout(client, args)
  client:send_noreply(args.text .. " " .. table.concat(args.tags, ","))
  client:sleep(0.25)
  client:sleep(2)
end
function chat.quit(client)
  client:close_connection()
  reached = true
end
function chat.boom(client)
  local missing
  missing()
end
function chat.fetch(client)
  client:send_for_reply("get\r\n", swarm.reply_parser_crlf())
  reached = true
end
function chat.report(client)
  client:send_noreply(tostring(reached))
end
function chat.ping(client)
  client:send_for_reply("PING\r\n", swarm.reply_parser_crlf())
end
return chat
)lua";

plan::Map user(const char* name) {
  return {{"user", plan::Value{std::string(name)}}};
}
plan::Map text(const char* words) {
  return {{"text", plan::Value{std::string(words)}}};
}

TEST_F(LuaClientTest, ReplyFeedsTheNextRequestThroughClientState) {
  auto lua = instance(kChat, {action("login", user("ann")), action("post", text("hi"))});
  FakeClient client(7);
  client.incoming = "OK tok42\r\nOK\r\n";
  client.chunk = 3;
  EXPECT_EQ(run_now(*lua, 0, client).kind, Kind::ok);
  EXPECT_EQ(run_now(*lua, 1, client).kind, Kind::ok);
  EXPECT_EQ(client.sent, (std::vector<std::string>{"login ann\r\n", "post tok42 hi #7\r\n"}));
}

TEST_F(LuaClientTest, StateIsPerConnectionAndForgotten) {
  auto lua = instance(kChat, {action("login", user("ann")), action("post", text("hi"))});
  FakeClient first(1), second(2);
  first.incoming = "OK one\r\nOK\r\nOK\r\n";
  second.incoming = "OK two\r\nOK\r\n";
  run_now(*lua, 0, first);
  run_now(*lua, 0, second);
  run_now(*lua, 1, first);
  run_now(*lua, 1, second);
  EXPECT_EQ(first.sent.back(), "post one hi #1\r\n");
  EXPECT_EQ(second.sent.back(), "post two hi #2\r\n");
  lua->forget_connection(1);
  CommandOutcome outcome = run_now(*lua, 1, first);  // the token is gone
  EXPECT_EQ(outcome.kind, Kind::script_error);
  EXPECT_THAT(outcome.message, StartsWith("post: test.lua:8:"));
}

TEST_F(LuaClientTest, NoreplyAndSleepPassTheirArguments) {
  plan::Map args = text("hey");
  args.emplace_back(
      "tags", plan::Value{plan::List{plan::Value{std::string("a")}, plan::Value{std::int64_t{2}}}});
  auto lua = instance(kChat, {action("shout", args)});
  FakeClient client;
  EXPECT_EQ(run_now(*lua, 0, client).kind, Kind::ok);
  EXPECT_EQ(client.noreplies, (std::vector<std::string>{"hey a,2"}));
  using std::chrono::milliseconds;
  EXPECT_EQ(client.sleeps,
            (std::vector<std::chrono::nanoseconds>{milliseconds(250), milliseconds(2000)}));
}

TEST_F(LuaClientTest, CloseConnectionEndsTheCommandAtOnce) {
  auto lua = instance(kChat, {action("quit"), action("report")});
  FakeClient client;
  // Not an error of the script: the engine's client knows it closed.
  EXPECT_EQ(run_now(*lua, 0, client).kind, Kind::ok);
  EXPECT_EQ(client.closes, 1);
  run_now(*lua, 1, client);
  EXPECT_EQ(client.noreplies, (std::vector<std::string>{"nil"}));  // never resumed
}

TEST_F(LuaClientTest, LuaErrorIsAScriptErrorNamingTheCommand) {
  auto lua = instance(kChat, {action("boom"), action("ping")});
  FakeClient client;
  CommandOutcome outcome = run_now(*lua, 0, client);
  EXPECT_EQ(outcome.kind, Kind::script_error);
  EXPECT_THAT(outcome.message, StartsWith("boom: test.lua:22: attempt to call"));
  client.incoming = "+PONG\r\n";
  EXPECT_EQ(run_now(*lua, 1, client).kind, Kind::ok);  // the instance still works
}

TEST_F(LuaClientTest, IoFailureAbandonsTheCoroutine) {
  auto lua = instance(kChat, {action("fetch"), action("report")});
  FakeClient client;
  client.fail_next = IoStatus::timeout;
  // The command stops without a script error: the engine's client saw the
  // failed call and counts it.
  EXPECT_EQ(run_now(*lua, 0, client).kind, Kind::ok);
  run_now(*lua, 1, client);
  EXPECT_EQ(client.noreplies, (std::vector<std::string>{"nil"}));
}

TEST_F(LuaClientTest, CoroutinesAreReused) {
  auto lua = instance(kChat, {action("ping")});
  FakeClient client;
  for (int i = 0; i < 1000; ++i) client.incoming += "+PONG\r\n";
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(run_now(*lua, 0, client).kind, Kind::ok);
  EXPECT_EQ(lua->coroutines_created(), 1u);
  EXPECT_EQ(lua->coroutines_idle(), 1u);
}

TEST_F(LuaClientTest, ConcurrentCommandsKeepTheirOwnParserState) {
  auto lua = instance(kChat, {action("ping")});
  FakeClient a(1), b(2);
  a.incoming = "AAA\r\n";
  a.pause_after = 4;  // stops after "AAA\r": the '\r' is pending
  b.incoming = "BB\r\n";
  b.pause_after = 2;
  testing::Run run_a(*lua, 0, a);
  testing::Run run_b(*lua, 0, b);
  ASSERT_TRUE(a.paused() && b.paused());
  EXPECT_EQ(lua->coroutines_created(), 2u);
  b.resume();
  a.resume();
  ASSERT_TRUE(run_a.finished() && run_b.finished());
  EXPECT_EQ(run_a.outcome().kind, Kind::ok);
  EXPECT_EQ(run_b.outcome().kind, Kind::ok);
  EXPECT_EQ(lua->coroutines_idle(), 2u);
}

TEST_F(LuaClientTest, ABurstsCoroutinesAndGarbageAreGivenBack) {
  // 3000 commands at once (an unpaced start), then quiet: within a few
  // trims the idle coroutines go and the heap comes back down.
  auto lua = instance(kChat, {action("ping")});
  std::vector<std::unique_ptr<FakeClient>> clients;
  std::vector<std::unique_ptr<testing::Run>> runs;
  for (std::uint64_t id = 1; id <= 3000; ++id) {
    clients.push_back(std::make_unique<FakeClient>(id));
    clients.back()->incoming = "OK\r\n";
    clients.back()->pause_after = 1;
    runs.push_back(std::make_unique<testing::Run>(*lua, 0, *clients.back()));
  }
  const std::size_t busy = lua->memory_bytes();
  for (auto& client : clients) client->resume();
  for (auto& run : runs) ASSERT_TRUE(run->finished());
  EXPECT_EQ(lua->coroutines_created(), 3000u);
  EXPECT_GT(lua->coroutines_idle(), 100u);
  for (int trim = 0; trim < 12; ++trim) lua->trim();
  EXPECT_LE(lua->coroutines_idle(), 1u);
  EXPECT_LT(lua->memory_bytes(), busy / 4) << "busy " << busy;
  // Still serves.
  FakeClient later(9999);
  later.incoming = "OK\r\n";
  EXPECT_EQ(run_now(*lua, 0, later).kind, Kind::ok);
}

constexpr const char* kMisuse = R"lua(local swarm = require("swarm")
local M = {}
function M.keep(client) saved = client end
function M.keep_and_fail(client)
  saved = client
  client:send_for_reply("x", swarm.reply_parser_crlf())
end
function M.use_saved(client) saved:send_noreply("x") end
function M.nested(client)
  coroutine.wrap(function() client:send_noreply("x") end)()
end
function M.yields(client) coroutine.yield() end
function M.dot_call(client) client.send_noreply("x") end
function M.hold(client) client:send_for_reply("x", swarm.reply_parser_crlf()) end
return M
)lua";

TEST_F(LuaClientTest, ClientUsedOutsideItsCommandIsALuaError) {
  auto lua = instance(kMisuse, {action("keep_and_fail"), action("use_saved"), action("nested"),
                                action("yields"), action("dot_call")});
  FakeClient client;
  client.fail_next = IoStatus::reset;
  EXPECT_EQ(run_now(*lua, 0, client).kind, Kind::ok);  // stopped by the failed call
  CommandOutcome outcome = run_now(*lua, 1, client);
  EXPECT_EQ(outcome.kind, Kind::script_error);
  EXPECT_THAT(outcome.message, HasSubstr("outside a running command"));
  EXPECT_THAT(run_now(*lua, 2, client).message, HasSubstr("from another coroutine"));
  EXPECT_THAT(run_now(*lua, 3, client).message, HasSubstr("yielded outside a client call"));
  EXPECT_THAT(run_now(*lua, 4, client).message, HasSubstr("swarm.client expected"));
}

TEST_F(LuaClientTest, ClientOfAnotherRunningCommandIsRefused) {
  auto lua = instance(kMisuse, {action("keep"), action("hold"), action("use_saved")});
  FakeClient holder(1), other(2);
  run_now(*lua, 0, holder);
  holder.incoming = "ok\r\n";
  holder.pause_after = 1;
  testing::Run hold(*lua, 1, holder);  // takes the coroutine `saved` belongs to
  ASSERT_TRUE(holder.paused());
  EXPECT_THAT(run_now(*lua, 2, other).message, HasSubstr("from another coroutine"));
  holder.resume();
  ASSERT_TRUE(hold.finished());
  EXPECT_EQ(hold.outcome().kind, Kind::ok);
  EXPECT_TRUE(other.noreplies.empty());
}

}  // namespace
}  // namespace swarm::protocol
