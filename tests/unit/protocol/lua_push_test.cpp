// Lua modules and what servers send unasked: client:receive() inside a
// command, and on_push(client, data) for messages that arrive between
// commands (framed by _push_parser, told from replies by _push_prefix).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fake_client.hpp"
#include "lua_fixture.hpp"

namespace swarm::protocol {
namespace {

using testing::action;
using ::testing::ElementsAre;
using testing::FakeClient;
using ::testing::HasSubstr;
using Kind = CommandOutcome::Kind;

class LuaPushTest : public testing::LuaTest {};

constexpr const char* kChat = R"lua(local swarm = require("swarm")
local crlf = swarm.reply_parser_crlf()
local M = {}
M._push_parser = crlf
M._push_prefix = ">"
function M.on_push(client, data)
  if data == ">boom\r\n" then error("cannot take " .. data:sub(1, 5)) end
  if data == ">wait\r\n" then client:sleep(1) end
  client:send_noreply("ack " .. data:sub(2))
  client.state.heard = (client.state.heard or 0) + 1
end
function M.listen(client)
  client:send_for_reply("listen\r\n", crlf)
  local message = client:receive(crlf)
  client:send_noreply("got " .. message)
end
function M.heard(client)
  client:send_noreply("heard " .. tostring(client.state.heard))
end
return M
)lua";

TEST_F(LuaPushTest, ReceiveReturnsTheNextMessageAndCountsIt) {
  auto lua = instance(kChat, {action("listen")});
  FakeClient client;
  client.incoming = "+OK\r\n>news\r\n";
  EXPECT_EQ(testing::run_now(*lua, 0, client).kind, Kind::ok);
  EXPECT_EQ(client.receives, 1);
  EXPECT_THAT(client.noreplies, ElementsAre("got >news\r\n"));
  EXPECT_THAT(client.received, ElementsAre(std::pair<std::string, std::int64_t>{"", 0}));
}

TEST_F(LuaPushTest, OnPushAnswersAtOnceAndKeepsConnectionState) {
  auto lua = instance(kChat, {action("heard")});
  PushHandler* pushes = lua->push_handler();
  ASSERT_NE(pushes, nullptr);
  FakeClient client(3);
  EXPECT_TRUE(pushes->is_push(client, ">news\r\n"));
  EXPECT_FALSE(pushes->is_push(client, "+OK\r\n"));
  EXPECT_EQ(pushes->on_push(client, ">news\r\n").kind, Kind::ok);
  EXPECT_EQ(pushes->on_push(client, ">more\r\n").kind, Kind::ok);
  EXPECT_THAT(client.sent_now, ElementsAre("ack news\r\n", "ack more\r\n"));
  EXPECT_EQ(client.received.size(), 2u);
  // The same client.state as the connection's commands see.
  EXPECT_EQ(testing::run_now(*lua, 0, client).kind, Kind::ok);
  EXPECT_THAT(client.noreplies, ElementsAre("heard 2"));
  // The framer frames lines, reused for every message.
  pushes->framer().begin();
  EXPECT_EQ(pushes->framer().feed(">a\r\n>b").consumed, 4u);
}

TEST_F(LuaPushTest, OnPushErrorsAndWaitsAreScriptErrors) {
  auto lua = instance(kChat, {action("heard")});
  PushHandler* pushes = lua->push_handler();
  FakeClient client;
  CommandOutcome boom = pushes->on_push(client, ">boom\r\n");
  EXPECT_EQ(boom.kind, Kind::script_error);
  EXPECT_THAT(boom.message, HasSubstr("on_push: "));
  EXPECT_THAT(boom.message, HasSubstr("cannot take >boom"));
  CommandOutcome wait = pushes->on_push(client, ">wait\r\n");
  EXPECT_EQ(wait.kind, Kind::script_error);
  EXPECT_THAT(wait.message, HasSubstr("on_push may only call client:send_noreply()"));
  EXPECT_TRUE(client.received.empty());
  // The handler still works afterwards.
  EXPECT_EQ(pushes->on_push(client, ">ok\r\n").kind, Kind::ok);
}

TEST_F(LuaPushTest, AModuleWithoutOnPushTakesNoPushes) {
  auto lua = instance("return { ping = function(client) end }", {action("ping")});
  EXPECT_EQ(lua->push_handler(), nullptr);
}

TEST_F(LuaPushTest, BadDeclarationsAreRefusedAtLoad) {
  EXPECT_THAT(load_error("a", "return { on_push = function() end, ping = function() end }"),
              HasSubstr("on_push needs _push_parser"));
  EXPECT_THAT(load_error("b",
                         "return { _push_parser = function() return 1 end, on_push = function() "
                         "end, ping = function() end }"),
              HasSubstr("_push_parser must be a swarm.reply_parser_*()"));
  EXPECT_THAT(load_error("c",
                         "local s = require('swarm') return { _push_parser = "
                         "s.reply_parser_crlf(), ping = function() end }"),
              HasSubstr("_push_parser is given, but there is no on_push"));
  EXPECT_THAT(load_error("d",
                         "local s = require('swarm') return { _push_parser = "
                         "s.reply_parser_crlf(), _push_prefix = 5, on_push = function() end, "
                         "ping = function() end }"),
              HasSubstr("_push_prefix must be a string"));
}

}  // namespace
}  // namespace swarm::protocol
