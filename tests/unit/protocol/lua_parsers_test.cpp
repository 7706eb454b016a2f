// The parsers of require("swarm") and Lua function parsers, used through a
// client whose replies arrive in chunks of every size.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

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

class LuaParsersTest : public testing::LuaTest {};

// echo_<kind>: asks once with that parser, then sends the reply back with
// send_noreply so the test can see it.
constexpr const char* kEcho = R"lua(local swarm = require("swarm")
local M = {}
local function echo(client, parser)
  client:send_noreply(client:send_for_reply("q", parser))
end
function M.crlf(client) echo(client, swarm.reply_parser_crlf()) end
function M.length(client) echo(client, swarm.reply_parser_length(5)) end
function M.delimiter(client) echo(client, swarm.reply_parser_delimiter("END")) end
function M.prefixed(client)
  echo(client, swarm.reply_parser_prefixed{ bytes = 2, endian = "little", offset = 1, adjust = 1 })
end
function M.resp(client) echo(client, swarm.reply_parser_resp()) end
-- The original contract: first call asks for a 1-byte header (a digit), then
-- the body it announces.
local function digit_parser()
  local body
  return function(chunk)
    if chunk == nil then return 1 end
    if body == nil then
      body = tonumber(chunk)
      return body
    end
    body = body - #chunk
    return body
  end
end
function M.digit(client) echo(client, digit_parser()) end
function M.broken_parser(client)
  echo(client, function(chunk) if chunk then error("cannot parse") end return 1 end)
end
function M.wordy_parser(client) echo(client, function() return "three" end) end
function M.bad_parser(client) client:send_for_reply("q", 42) end
function M.same(client)
  local a, b = swarm.reply_parser_crlf(), swarm.reply_parser_crlf()
  local c, d = swarm.reply_parser_length(3), swarm.reply_parser_length(3)
  local e = swarm.reply_parser_delimiter("x")
  local f = swarm.reply_parser_delimiter("x")
  client:send_noreply(tostring(a == b and c == d and e == f and c ~= swarm.reply_parser_length(4)))
  client:send_noreply(tostring(a))
end
function M.ws(client) echo(client, swarm.reply_parser_ws()) end
function M.ws_helpers(client)
  local frame = swarm.ws_frame("Hello", "text")
  client:send_noreply(frame)
  local kind, data = swarm.ws_decode(client:send_for_reply("q", swarm.reply_parser_ws()))
  client:send_noreply(kind .. ":" .. data)
  local close, _, code, reason = swarm.ws_decode(client:send_for_reply("q", swarm.reply_parser_ws()))
  client:send_noreply(close .. ":" .. code .. ":" .. reason)
  client:send_noreply(tostring(#swarm.ws_frame(string.rep("x", 200), "binary")))
  local ok, problem = pcall(swarm.ws_frame, string.rep("x", 126), "ping")
  client:send_noreply(tostring(ok) .. " " .. problem)
end
function M.bad_prefixed(client) swarm.reply_parser_prefixed{ bytes = 3 } end
function M.bad_endian(client) swarm.reply_parser_prefixed{ endian = "middle" } end
return M
)lua";

/// Runs `command` once per chunk size over `stream`; expects the echoed
/// replies to be `replies` (the first reply per run, then the next ones).
void expect_echo(testing::LuaTest& test, LuaInstance& lua, std::size_t command,
                 const std::string& stream, const std::vector<std::string>& replies) {
  static_cast<void>(test);
  for (std::size_t chunk = 1; chunk <= stream.size(); ++chunk) {
    FakeClient client;
    client.incoming = stream;
    client.chunk = chunk;
    for (const std::string& reply : replies) {
      CommandOutcome outcome = run_now(lua, command, client);
      ASSERT_EQ(outcome.kind, Kind::ok) << outcome.message << " chunk " << chunk;
      ASSERT_EQ(client.noreplies.back(), reply) << "chunk " << chunk;
    }
  }
}

TEST_F(LuaParsersTest, EveryBuiltInParserWorksThroughTheClient) {
  auto lua = instance(kEcho, {action("crlf"), action("length"), action("delimiter"),
                              action("prefixed"), action("resp")});
  expect_echo(*this, *lua, 0, "one\r\ntwo\rX\n\r\n", {"one\r\n", "two\rX\n\r\n"});
  expect_echo(*this, *lua, 1, "abcdefghij", {"abcde", "fghij"});
  expect_echo(*this, *lua, 2, "aEENDbEN\r\nEND", {"aEEND", "bEN\r\nEND"});
  std::string frames = std::string("T\x02\0ab!", 6) + std::string("U\0\0?", 4);
  expect_echo(*this, *lua, 3, frames, {std::string("T\x02\0ab!", 6), std::string("U\0\0?", 4)});
  expect_echo(*this, *lua, 4, "*2\r\n$3\r\nfoo\r\n:1\r\n+OK\r\n",
              {"*2\r\n$3\r\nfoo\r\n:1\r\n", "+OK\r\n"});
  EXPECT_EQ(lua->coroutines_created(), 1u);
}

TEST_F(LuaParsersTest, WebSocketParserAndHelpers) {
  auto lua = instance(kEcho, {action("ws"), action("ws_helpers")});
  // A fragmented text message with a ping between, then a pong alone.
  const std::string message = std::string("\x01\x02He\x89\x00\x80\x03llo", 11);
  expect_echo(*this, *lua, 0, message + std::string("\x8a\x01p", 3),
              {message, std::string("\x8a\x01p", 3)});
  FakeClient client;
  client.incoming = message + std::string(
                                  "\x88\x05\x03\xe9"
                                  "bye",
                                  7);
  CommandOutcome outcome = run_now(*lua, 1, client);
  ASSERT_EQ(outcome.kind, Kind::ok) << outcome.message;
  ASSERT_EQ(client.noreplies.size(), 5u);
  const std::string& frame = client.noreplies[0];
  ASSERT_EQ(frame.size(), 11u);
  EXPECT_EQ(frame.substr(0, 2), "\x81\x85");  // text, FIN, masked, 5 bytes
  std::string payload = frame.substr(6);
  const auto* key = reinterpret_cast<const unsigned char*>(frame.data() + 2);
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= static_cast<char>(key[i % 4]);
  EXPECT_EQ(payload, "Hello");
  EXPECT_EQ(client.noreplies[1], "text:Hello");
  EXPECT_EQ(client.noreplies[2], "close:1001:bye");
  EXPECT_EQ(client.noreplies[3], "208");  // 2 + 2 (16-bit length) + 4 (mask) + 200
  EXPECT_THAT(client.noreplies[4], HasSubstr("false"));
  EXPECT_THAT(client.noreplies[4], HasSubstr("at most 125 bytes"));
}

TEST_F(LuaParsersTest, FunctionParserFollowsTheOriginalContract) {
  auto lua = instance(kEcho, {action("digit")});
  expect_echo(*this, *lua, 0, "5hello3abc0", {"5hello", "3abc", "0"});
}

TEST_F(LuaParsersTest, FunctionParserErrorsAreScriptErrors) {
  auto lua =
      instance(kEcho, {action("broken_parser"), action("wordy_parser"), action("bad_parser")});
  FakeClient client;
  client.incoming = "xyz";
  CommandOutcome outcome = run_now(*lua, 0, client);
  EXPECT_EQ(outcome.kind, Kind::script_error);
  EXPECT_THAT(outcome.message, HasSubstr("broken_parser: reply parser: test.lua:"));
  EXPECT_THAT(outcome.message, HasSubstr("cannot parse"));
  outcome = run_now(*lua, 1, client);
  EXPECT_THAT(outcome.message, HasSubstr("returned a string instead of a byte count"));
  outcome = run_now(*lua, 2, client);
  EXPECT_THAT(outcome.message, HasSubstr("expected a reply parser"));
}

TEST_F(LuaParsersTest, DescriptorsAreCachedPerParameters) {
  auto lua = instance(kEcho, {action("same"), action("bad_prefixed"), action("bad_endian")});
  FakeClient client;
  EXPECT_EQ(run_now(*lua, 0, client).kind, Kind::ok);
  EXPECT_EQ(client.noreplies, (std::vector<std::string>{"true", "swarm.reply_parser_crlf"}));
  EXPECT_THAT(run_now(*lua, 1, client).message, HasSubstr("1, 2, 4 or 8 bytes, not 3"));
  EXPECT_THAT(run_now(*lua, 2, client).message, HasSubstr("\"big\" or \"little\""));
}

}  // namespace
}  // namespace swarm::protocol
