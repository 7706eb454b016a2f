// The built-in websocket protocol on a scripted client: the upgrade request
// and its checks, masked frames for each command, pings answered and closes
// counted by code, pushes counted as received.
#include <gtest/gtest.h>

#include <memory>

#include "builtin_fixture.hpp"
#include "swarm/websocket.hpp"

namespace swarm::protocol::testing {
namespace {

// FakeClient's random() counts 0, 1, 2...: the first key is base64 of 8
// zero bytes, then 01 and 7 zero bytes; this is its accept value.
constexpr std::string_view kKey = "AAAAAAAAAAABAAAAAAAAAA==";
constexpr std::string_view kAccept = "T9YqAFps7/KQrQnMnLCTOrOauxM=";

std::string switching(std::string_view accept = kAccept, std::string_view extra = "") {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         std::string(accept) + "\r\n" + std::string(extra) + "\r\n";
}

std::string server_frame(WsOpcode opcode, std::string_view payload, bool fin = true) {
  std::string out;
  out += static_cast<char>((fin ? 0x80 : 0) | static_cast<int>(opcode));
  out += static_cast<char>(payload.size());  // short payloads only
  out += payload;
  return out;
}

/// The payload of a client frame (short, masked), unmasked.
std::string unmasked(std::string_view frame) {
  EXPECT_GE(frame.size(), 6u);
  EXPECT_EQ(static_cast<unsigned char>(frame[1]) & 0x80, 0x80);
  const auto* key = reinterpret_cast<const unsigned char*>(frame.data() + 2);
  const std::uint32_t mask = std::uint32_t{key[0]} << 24 | std::uint32_t{key[1]} << 16 |
                             std::uint32_t{key[2]} << 8 | key[3];
  std::string payload(frame.substr(6));
  ws_mask(payload.data(), payload.size(), mask);
  return payload;
}

class WebsocketBuiltinTest : public BuiltinTest {};

const char* kPlan = R"(protocol: websocket
actions:
  - command: open
    args: {path: "/chat/{id}", subprotocol: chat.v2, origin: "http://example.test",
           headers: {X-Token: "t{id}"}}
  - command: send_for_reply
    args: {text: "hello {seq}"}
  - command: send
    args: {size: 5}
  - command: ping
    args: {payload: p}
  - command: close
    args: {code: 4000, reason: done}
  - command: receive
  - command: send_for_reply
    args: {binary: "b{seq}", pipeline: 3}
)";

TEST_F(WebsocketBuiltinTest, OpenSendsTheUpgradeAndChecksTheAnswer) {
  ModuleInstance& ws = instance(kPlan);
  FakeClient client(7);
  client.incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_EQ(client.sent[0],
            "GET /chat/7 HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: " +
                std::string(kKey) +
                "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat.v2\r\n"
                "Origin: http://example.test\r\nX-Token: t7\r\n\r\n");
  EXPECT_TRUE(client.ended.empty());
  // Open already: a plan that loops does not upgrade again.
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent.size(), 1u);
  static_cast<void>(ws);
}

TEST_F(WebsocketBuiltinTest, ARefusedUpgradeEndsTheConnectionByWhatWasWrong) {
  instance(kPlan);
  struct Case {
    std::string answer;
    std::string ended;
  };
  const Case cases[] = {
      {"HTTP/1.1 403 Forbidden\r\n\r\n",
       "protocol_error:ws_upgrade_403 websocket upgrade refused: HTTP/1.1 403 Forbidden"},
      {switching("wrong=", "Sec-WebSocket-Protocol: chat.v2\r\n"),
       "protocol_error:ws_accept websocket upgrade: Sec-WebSocket-Accept is \"wrong=\", not the "
       "hash of the key sent"},
      {switching(),
       "protocol_error:ws_subprotocol websocket upgrade: the server agreed to subprotocol "
       "\"(none)\"; offered: chat.v2"},
      {"SSH-2.0-OpenSSH\r\n\r\n",
       "protocol_error:ws_upgrade websocket upgrade: not an HTTP answer: \"SSH-2.0-OpenSSH\""},
  };
  for (const Case& c : cases) {
    FakeClient client(7);
    client.incoming = c.answer;
    run(0, client);
    ASSERT_EQ(client.ended.size(), 1u) << c.answer;
    EXPECT_EQ(client.ended[0], c.ended);
  }
}

TEST_F(WebsocketBuiltinTest, CommandsBeforeTheUpgradeAreScriptErrorsThatSaySo) {
  instance(kPlan);
  FakeClient client;
  CommandOutcome outcome = run(1, client);
  EXPECT_EQ(outcome.kind, CommandOutcome::Kind::script_error);
  EXPECT_NE(outcome.message.find("not upgraded to a websocket yet: put `open` first"),
            std::string::npos);
}

TEST_F(WebsocketBuiltinTest, SendForReplyMasksItsFrameAndAnswersPingsInTheReply) {
  instance(kPlan);
  FakeClient client(7);
  client.incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n") +
                    server_frame(WsOpcode::text, "hel", false) + server_frame(WsOpcode::ping, "x") +
                    server_frame(WsOpcode::continuation, "lo 1");
  run(0, client);
  EXPECT_EQ(run(1, client).kind, CommandOutcome::Kind::ok);
  ASSERT_EQ(client.sent.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(client.sent[1][0]), 0x81);
  EXPECT_EQ(unmasked(client.sent[1]), "hello 2");  // {seq} 1 was the upgrade's
  ASSERT_EQ(client.sent_now.size(), 1u);
  EXPECT_EQ(static_cast<unsigned char>(client.sent_now[0][0]), 0x8A);  // its pong
  EXPECT_EQ(unmasked(client.sent_now[0]), "x");
  EXPECT_EQ(client.kinds.back(), "text");
}

TEST_F(WebsocketBuiltinTest, SendPingAndCloseFrames) {
  instance(kPlan);
  FakeClient client(7);
  client.incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n") +
                    server_frame(WsOpcode::pong, "p") +
                    server_frame(WsOpcode::close, std::string("\x0f\xa0", 2));
  run(0, client);
  EXPECT_EQ(run(2, client).kind, CommandOutcome::Kind::ok);
  ASSERT_EQ(client.noreplies.size(), 1u);
  EXPECT_EQ(static_cast<unsigned char>(client.noreplies[0][0]), 0x82);  // size: binary
  EXPECT_EQ(unmasked(client.noreplies[0]).size(), 5u);
  EXPECT_EQ(run(3, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(static_cast<unsigned char>(client.sent.back()[0]), 0x89);
  EXPECT_EQ(unmasked(client.sent.back()), "p");
  EXPECT_EQ(client.kinds.back(), "pong");
  EXPECT_EQ(run(4, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(unmasked(client.sent.back()), std::string("\x0f\xa0"
                                                      "done",
                                                      6));
  EXPECT_EQ(client.kinds.back(), "close 4000");
  EXPECT_EQ(client.closes, 1);
}

TEST_F(WebsocketBuiltinTest, APipelineSendsNFramesInOneWriteAndReadsNReplies) {
  instance(kPlan);
  FakeClient client(7);
  client.incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n") +
                    server_frame(WsOpcode::binary, "b2") + server_frame(WsOpcode::binary, "b3") +
                    server_frame(WsOpcode::binary, "b4");
  run(0, client);
  EXPECT_EQ(run(6, client).kind, CommandOutcome::Kind::ok);
  ASSERT_EQ(client.pipelined, (std::vector<std::uint32_t>{1, 3}));  // the upgrade, the batch
  const std::string& batch = client.sent.back();
  ASSERT_EQ(batch.size(), 3u * 8);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(static_cast<unsigned char>(batch[8 * i]), 0x82);
    EXPECT_EQ(unmasked(batch.substr(8 * i, 8)), "b" + std::to_string(i + 2));
  }
  EXPECT_EQ(client.kinds, (std::vector<std::string>{"binary", "binary", "binary"}));
}

TEST_F(WebsocketBuiltinTest, ReceiveSkipsPingsAndEndsOnAClose) {
  instance(kPlan);
  FakeClient client(7);
  client.incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n") +
                    server_frame(WsOpcode::ping, "") + server_frame(WsOpcode::binary, "data") +
                    server_frame(WsOpcode::close, std::string("\x03\xf3"
                                                              "oops",
                                                              6));
  run(0, client);
  EXPECT_EQ(run(5, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent_now.size(), 1u);  // the pong
  ASSERT_EQ(client.received.size(), 1u);
  EXPECT_EQ(client.received[0].first, "binary");
  EXPECT_EQ(run(5, client).kind, CommandOutcome::Kind::ok);
  ASSERT_EQ(client.ended.size(), 1u);
  EXPECT_EQ(client.ended[0],
            "closed:ws_1011 the server closed the websocket: 1011 (internal error) \"oops\"");
  EXPECT_EQ(client.sent_now.size(), 2u);  // the close echoed
  EXPECT_EQ(static_cast<unsigned char>(client.sent_now[1][0]), 0x88);
}

TEST_F(WebsocketBuiltinTest, PushesAreCountedAndControlFramesHandled) {
  ModuleInstance& ws = instance(kPlan);
  ASSERT_NE(ws.push_handler(), nullptr);
  PushHandler& pushes = *ws.push_handler();
  FakeClient client;
  EXPECT_FALSE(pushes.is_push(client, "HTTP/1.1 101 Switching Protocols\r\n\r\n"));
  client.incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n");
  run(0, client);
  const std::string text = server_frame(WsOpcode::text, "news");
  EXPECT_FALSE(pushes.is_push(client, text));  // a data message is a command's reply
  EXPECT_TRUE(pushes.is_push(client, server_frame(WsOpcode::ping, "")));
  EXPECT_TRUE(pushes.is_push(client, server_frame(WsOpcode::close, "")));
  pushes.on_push(client, text);
  pushes.on_push(client, server_frame(WsOpcode::ping, "k"));
  ASSERT_EQ(client.received.size(), 1u);
  EXPECT_EQ(client.received[0].first, "text");
  ASSERT_EQ(client.sent_now.size(), 1u);
  EXPECT_EQ(unmasked(client.sent_now[0]), "k");
  pushes.on_push(client, server_frame(WsOpcode::close, std::string("\x03\xe8", 2)));
  ASSERT_EQ(client.ended.size(), 1u);
  EXPECT_EQ(client.ended[0],
            "closed:ws_1000 the server closed the websocket: 1000 (normal closure)");
}

TEST_F(WebsocketBuiltinTest, TextThatIsNotUtf8FailsTheConnectionWith1007) {
  ModuleInstance& ws = instance(kPlan);
  PushHandler& pushes = *ws.push_handler();
  // In a command's reply: the command ends with the connection.
  FakeClient client;
  client.incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n") +
                    server_frame(WsOpcode::text, "caf\xc3");
  run(0, client);
  run(1, client);
  ASSERT_EQ(client.ended.size(), 1u);
  EXPECT_EQ(client.ended[0],
            "protocol_error:ws_invalid_utf8 websocket: a text message from the server is not "
            "UTF-8 (at byte 3)");
  ASSERT_EQ(client.sent_now.size(), 1u);  // the close, 1007
  EXPECT_EQ(static_cast<unsigned char>(client.sent_now[0][0]), 0x88);
  EXPECT_EQ(unmasked(client.sent_now[0]).substr(0, 2), std::string("\x03\xef", 2));
  EXPECT_TRUE(client.received.empty());
  // Pushed between commands: the same, and nothing counted as received.
  FakeClient sleeper;
  sleeper.incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n");
  run(0, sleeper);
  pushes.on_push(sleeper, server_frame(WsOpcode::text, "ok \xed\xa0\x80"));  // a surrogate
  ASSERT_EQ(sleeper.ended.size(), 1u);
  EXPECT_NE(sleeper.ended[0].find("(at byte 3)"), std::string::npos) << sleeper.ended[0];
  EXPECT_TRUE(sleeper.received.empty());
  // Binary messages carry any bytes.
  FakeClient binary;
  binary.incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n");
  run(0, binary);
  pushes.on_push(binary, server_frame(WsOpcode::binary, "\xff\xfe"));
  EXPECT_TRUE(binary.ended.empty());
  EXPECT_EQ(binary.received.size(), 1u);
}

TEST_F(WebsocketBuiltinTest, ABadCloseFailsTheConnection) {
  ModuleInstance& ws = instance(kPlan);
  PushHandler& pushes = *ws.push_handler();
  auto opened = [&] {
    auto client = std::make_unique<FakeClient>();
    client->incoming = switching(kAccept, "Sec-WebSocket-Protocol: chat.v2\r\n");
    run(0, *client);
    return client;
  };
  // A reason that is not UTF-8: close 1007, not an echo of the server's 1000.
  auto reason = opened();
  pushes.on_push(*reason, server_frame(WsOpcode::close, std::string("\x03\xe8"
                                                                    "bye\xc0",
                                                                    6)));
  ASSERT_EQ(reason->ended.size(), 1u);
  EXPECT_EQ(reason->ended[0],
            "protocol_error:ws_invalid_utf8 websocket: the close reason from the server is not "
            "UTF-8 (at byte 3)");
  ASSERT_EQ(reason->sent_now.size(), 1u);
  EXPECT_EQ(unmasked(reason->sent_now[0]).substr(0, 2), std::string("\x03\xef", 2));
  // One byte, where a code takes two: close 1002.
  auto short_close = opened();
  pushes.on_push(*short_close, server_frame(WsOpcode::close, "x"));
  ASSERT_EQ(short_close->ended.size(), 1u);
  EXPECT_TRUE(short_close->ended[0].starts_with("protocol_error:ws_bad_close "))
      << short_close->ended[0];
  ASSERT_EQ(short_close->sent_now.size(), 1u);
  EXPECT_EQ(unmasked(short_close->sent_now[0]).substr(0, 2), std::string("\x03\xea", 2));
  // A good reason is told, cut at 100 bytes between characters, not inside one.
  auto told = opened();
  const std::string long_reason = std::string(99, 'a') + "\xc3\xa9tc";
  pushes.on_push(*told, server_frame(WsOpcode::close, std::string("\x03\xe9", 2) + long_reason));
  ASSERT_EQ(told->ended.size(), 1u);
  EXPECT_TRUE(told->ended[0].starts_with("closed:ws_1001 ")) << told->ended[0];
  EXPECT_TRUE(told->ended[0].ends_with("\"" + std::string(99, 'a') + "\"")) << told->ended[0];
}

TEST_F(WebsocketBuiltinTest, AnEmptyOnConnectUpgradesWithTheDefaults) {
  ModuleInstance& ws =
      instance("protocol: websocket\non_connect: {}\nactions:\n  - command: receive\n");
  FakeClient client(3);
  client.incoming = switching();
  EXPECT_EQ(hook_now(ws, client).kind, CommandOutcome::Kind::ok);
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_TRUE(client.sent[0].starts_with("GET / HTTP/1.1\r\nHost: localhost:8080\r\n"));
  EXPECT_TRUE(client.ended.empty());
  EXPECT_TRUE(module_->hooks(plan_).on_connect);
  instance("protocol: websocket\nactions:\n  - command: receive\n");
  EXPECT_FALSE(module_->hooks(plan_).on_connect);
}

TEST_F(WebsocketBuiltinTest, PlanProblemsSayWhere) {
  EXPECT_EQ(
      problems("protocol: websocket\nactions:\n  - command: send\n    args: {text: a, size: 3}\n"),
      "plan.yml:4:27: command 'send' needs one of 'text', 'binary' or 'size' (a binary "
      "message of that many bytes)");
  EXPECT_NE(problems("protocol: websocket\nactions:\n  - command: close\n    args: {code: 1005}\n")
                .find("not a code a client may send"),
            std::string::npos);
  EXPECT_NE(problems("protocol: websocket\nactions:\n  - command: open\n    args: {path: chat}\n")
                .find("must start with /"),
            std::string::npos);
}

}  // namespace
}  // namespace swarm::protocol::testing
