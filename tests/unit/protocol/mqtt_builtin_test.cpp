// The built-in mqtt protocol on a scripted client: the packets each command
// sends, how the broker's answers are judged and counted (CONNACK codes,
// acks, SUBACK codes), the QoS 1 and 2 exchanges with pushes in between,
// what the push handler answers, the keepalive hooks, and plan problems
// with their places.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "builtin_fixture.hpp"
#include "core/stamp.hpp"
#include "protocol/builtin/mqtt/mqtt_parts.hpp"

namespace swarm::protocol {
namespace {

using builtin::mqtt::MqttState;
using ::testing::ElementsAre;
using testing::FakeClient;
using ::testing::HasSubstr;
using testing::hook_now;

std::string hex(std::string_view text) {
  std::string out;
  for (std::size_t at = 0; at + 1 < text.size(); at += 3) {
    out.push_back(static_cast<char>(std::stoi(std::string(text.substr(at, 2)), nullptr, 16)));
  }
  return out;
}

/// A packet: `first`, its remaining length, `body`.
std::string packet(std::uint8_t first, std::string_view body) {
  std::string out(1, static_cast<char>(first));
  builtin::mqtt::append_varint(out, static_cast<std::uint32_t>(body.size()));
  return out.append(body);
}

MqttState& state(FakeClient& client) {
  return builtin::connection_state<MqttState>(client);
}

class MqttBuiltinTest : public testing::BuiltinTest {};

TEST_F(MqttBuiltinTest, ConnectSendsConnectAndStartsASession) {
  instance(R"(protocol: mqtt
actions:
  - command: connect
    args:
      client_id: "dev-{id}"
      keepalive: 10
      username: u
      password: p
      will: {topic: "w/{id}", payload: bye, qos: 1, retain: true}
)");
  FakeClient client(7);
  client.incoming = hex("20 02 00 00");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  ASSERT_EQ(client.sent.size(), 1u);
  EXPECT_EQ(client.sent[0], packet(0x10, hex("00 04") + "MQTT" + hex("04 ee 00 0a 00 05") +
                                             "dev-7" + hex("00 03") + "w/7" + hex("00 03") + "bye" +
                                             hex("00 01") + "u" + hex("00 01") + "p"));
  EXPECT_EQ(state(client).version, 4);
  EXPECT_EQ(state(client).keepalive, 10);
  // The session is up: a later iteration's connect sends nothing.
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent.size(), 1u);
}

TEST_F(MqttBuiltinTest, Mqtt5ConnectCarriesItsPropertiesAndTakesTheServerKeepalive) {
  instance(R"(protocol: mqtt
actions:
  - command: connect
    args: {version: 5, session_expiry: 300, clean_session: false}
)");
  FakeClient client(1);
  client.incoming = hex("20 06 00 00 03 13 00 05");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  // The default client id: swarm-, this process's random tag, the id.
  const std::string id = client.sent[0].substr(client.sent[0].size() - 16);
  EXPECT_TRUE(std::regex_match(id, std::regex("swarm-[0-9a-f]{8}-1"))) << id;
  EXPECT_EQ(client.sent[0],
            packet(0x10, hex("00 04") + "MQTT" + hex("05 00 00 3c 05 11 00 00 01 2c") +
                             hex("00 10") + id));
  EXPECT_EQ(state(client).version, 5);
  EXPECT_EQ(state(client).keepalive, 5);  // the broker's
}

TEST_F(MqttBuiltinTest, ARefusedConnackIsCountedByItsCode) {
  instance(
      "protocol: mqtt\nactions: [{command: connect}, {command: connect, args: {version: 5}}]\n");
  FakeClient client;
  client.incoming = hex("20 02 00 05");
  // Refused: counted, then the connection waits for the broker to close it
  // (here the script ends: the wait ends like a timeout).
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.receives, 1);
  EXPECT_EQ(state(client).version, 0);
  client.incoming += hex("20 03 00 86 00");
  EXPECT_EQ(run(1, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.kinds,
              ElementsAre("connack:not_authorized!", "connack:bad_username_or_password!"));
  client.incoming += hex("40 02 00 01");
  CommandOutcome wrong = run(0, client);
  EXPECT_EQ(wrong.kind, CommandOutcome::Kind::script_error);
  EXPECT_EQ(wrong.message, "connect: expected CONNACK, got PUBACK");
}

TEST_F(MqttBuiltinTest, CommandsBeforeConnectAreScriptErrors) {
  instance("protocol: mqtt\nactions: [{command: publish, args: {topic: t}}]\n");
  FakeClient client;
  CommandOutcome outcome = run(0, client);
  EXPECT_EQ(outcome.kind, CommandOutcome::Kind::script_error);
  EXPECT_THAT(outcome.message, HasSubstr("no MQTT session on this connection: 'publish' before "
                                         "'connect'"));
  EXPECT_TRUE(client.noreplies.empty());
}

TEST_F(MqttBuiltinTest, PublishAtQos0SendsAndAwaitsNothing) {
  instance(R"(protocol: mqtt
actions:
  - command: publish
    args: {topic: "t/{id}", payload: "m{seq}", retain: true}
  - command: publish
    args: {topic: fixed, size: 3}
)");
  FakeClient client(3);
  state(client).version = 4;
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(run(1, client).kind, CommandOutcome::Kind::ok);
  state(client).version = 5;
  EXPECT_EQ(run(1, client).kind, CommandOutcome::Kind::ok);
  const std::string filler = builtin::filler_bytes(3);
  EXPECT_THAT(client.noreplies,
              ElementsAre(packet(0x31, hex("00 03") + "t/3" + "m1"),
                          packet(0x30, hex("00 05") + "fixed" + filler),
                          packet(0x30, hex("00 05") + "fixed" + hex("00") + filler)));
}

TEST_F(MqttBuiltinTest, PublishAtQos1AwaitsAPubackPerMessage) {
  instance(R"(protocol: mqtt
actions:
  - command: publish
    args: {topic: t, payload: x, qos: 1, pipeline: 3}
)");
  FakeClient client;
  state(client).version = 4;
  state(client).last_packet_id = 65534;  // the ids wrap: 65535, 1, 2
  client.incoming = hex("40 02 ff ff 40 02 00 01 40 02 00 02");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.pipelined, ElementsAre(3u));
  EXPECT_EQ(client.sent[0], packet(0x32, hex("00 01 74 ff ff 78")) +
                                packet(0x32, hex("00 01 74 00 01 78")) +
                                packet(0x32, hex("00 01 74 00 02 78")));
  // An ack for another message: the batch is read, then it is an error.
  client.incoming += hex("40 02 00 03 40 02 00 09 40 02 00 05");
  CommandOutcome wrong = run(0, client);
  EXPECT_EQ(wrong.kind, CommandOutcome::Kind::script_error);
  EXPECT_EQ(wrong.message, "publish: PUBACK for packet id 9, not one of this publish");
  // MQTT 5 reasons are counted.
  state(client).version = 5;
  client.incoming += hex("40 03 00 06 10 40 03 00 07 97 40 02 00 08");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.kinds,
              ElementsAre("puback:no_matching_subscribers", "puback:quota_exceeded!"));
}

TEST_F(MqttBuiltinTest, PublishAtQos2RunsTheWholeExchange) {
  instance(R"(protocol: mqtt
actions:
  - command: publish
    args: {topic: t, payload: x, qos: 2, pipeline: 2}
)");
  FakeClient client;
  state(client).version = 4;
  // PUBREC 1, a message the broker pushes meanwhile (QoS 1), PUBREC 2, then
  // the PUBCOMPs that answer swarm's PUBRELs.
  client.incoming = hex("50 02 00 01") + packet(0x32, hex("00 01 78 01 01") + "hi") +
                    hex("50 02 00 02 70 02 00 01 70 02 00 02");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent[0],
            packet(0x34, hex("00 01 74 00 01 78")) + packet(0x34, hex("00 01 74 00 02 78")));
  EXPECT_THAT(client.sent_now, ElementsAre(hex("40 02 01 01"), hex("62 02 00 01 62 02 00 02")));
  EXPECT_THAT(client.received, ElementsAre(std::pair<std::string, std::int64_t>{"x", 0}));
  // MQTT 5: a refused PUBREC gets no PUBREL, and its message no PUBCOMP.
  state(client).version = 5;
  client.sent_now.clear();
  client.incoming += hex("50 03 00 03 87 50 02 00 04 70 02 00 04");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.sent_now, ElementsAre(hex("62 02 00 04")));
  EXPECT_THAT(client.kinds, ElementsAre("pubrec:not_authorized!"));
}

TEST_F(MqttBuiltinTest, SubscribeAndUnsubscribeJudgeTheirCodes) {
  instance(R"(protocol: mqtt
actions:
  - command: subscribe
    args: {topics: [a/+, "b/{id}"], qos: 1}
  - command: unsubscribe
    args: {topic: "a/#"}
)");
  FakeClient client(5);
  state(client).version = 4;
  client.incoming = hex("90 04 00 01 01 00 90 04 00 02 80 01 b0 02 00 03");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent[0],
            packet(0x82, hex("00 01 00 03") + "a/+" + hex("01 00 03") + "b/5" + hex("01")));
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(run(1, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent[2], packet(0xa2, hex("00 03 00 03") + "a/#"));
  EXPECT_THAT(client.kinds, ElementsAre("suback:granted_qos0", "suback:failure!"));
  // MQTT 5: reason codes, and a SUBACK that does not match.
  state(client).version = 5;
  client.kinds.clear();
  client.incoming += hex("90 05 00 04 00 87 01 b0 04 00 05 00 11 90 04 00 09 00 01");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(run(1, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.kinds,
              ElementsAre("suback:not_authorized!", "unsuback:no_subscription_existed"));
  CommandOutcome wrong = run(0, client);
  EXPECT_EQ(wrong.message, "subscribe: SUBACK for packet id 9, expected 6");
}

TEST_F(MqttBuiltinTest, PingAndDisconnect) {
  instance(R"(protocol: mqtt
actions:
  - command: ping
    args: {pipeline: 2}
  - command: disconnect
)");
  FakeClient client;
  state(client).version = 4;
  client.incoming = hex("d0 00 d0 00 d0 00 40 02 00 01");
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent[0], hex("c0 00 c0 00"));
  CommandOutcome wrong = run(0, client);
  EXPECT_EQ(wrong.message, "ping: expected PINGRESP, got PUBACK");
  EXPECT_EQ(run(1, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.noreplies, ElementsAre(hex("e0 00")));
  EXPECT_EQ(client.closes, 1);
  EXPECT_EQ(state(client).version, 0);
}

TEST_F(MqttBuiltinTest, WhatTheBrokerPushesIsCountedAndAnswered) {
  ModuleInstance& mqtt = instance("protocol: mqtt\nactions: [{command: ping}]\n");
  ASSERT_NE(mqtt.push_handler(), nullptr);
  PushHandler& pushes = *mqtt.push_handler();
  FakeClient client;
  state(client).version = 4;
  for (std::string_view incoming : {"30 03 00 01 74", "62 02 00 01", "e0 00"}) {
    EXPECT_TRUE(pushes.is_push(client, hex(incoming))) << incoming;
  }
  for (std::string_view reply : {"40 02 00 01", "90 03 00 01 00", "d0 00", "20 02 00 00"}) {
    EXPECT_FALSE(pushes.is_push(client, hex(reply))) << reply;
  }
  char stamp[core::kStampSize];
  core::write_stamp(stamp, 1234567890123456789);
  const std::string stamped = std::string(stamp, sizeof stamp) + "rest";
  EXPECT_EQ(pushes.on_push(client, packet(0x30, hex("00 01 61") + "m")).kind,
            CommandOutcome::Kind::ok);
  EXPECT_EQ(pushes.on_push(client, packet(0x32, hex("00 01 62 00 07") + stamped)).kind,
            CommandOutcome::Kind::ok);
  EXPECT_EQ(pushes.on_push(client, packet(0x34, hex("00 01 63 00 08"))).kind,
            CommandOutcome::Kind::ok);
  EXPECT_EQ(pushes.on_push(client, hex("62 02 00 08")).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.received,
              ElementsAre(std::pair<std::string, std::int64_t>{"a", 0},
                          std::pair<std::string, std::int64_t>{"b", 1234567890123456789},
                          std::pair<std::string, std::int64_t>{"c", 0}));
  EXPECT_THAT(client.sent_now,
              ElementsAre(hex("40 02 00 07"), hex("50 02 00 08"), hex("70 02 00 08")));
  // What cannot be taken is a script error with what and where.
  EXPECT_EQ(pushes.on_push(client, packet(0x30, hex("00 05 61"))).message,
            "mqtt push: malformed PUBLISH: its topic needs 5 bytes, 1 left at byte 2 of the body");
  EXPECT_EQ(pushes.on_push(client, hex("40 02 00 01")).message,
            "mqtt push: unexpected PUBACK from the broker between commands");
  state(client).version = 5;
  EXPECT_EQ(pushes.on_push(client, hex("e0 01 8e")).message,
            "mqtt push: the broker sent DISCONNECT (session_taken_over)");
}

TEST_F(MqttBuiltinTest, AConnectActionsKeepaliveIsTheIdlePeriod) {
  ModuleInstance& mqtt = instance(R"(protocol: mqtt
actions:
  - command: connect
    args: {keepalive: 10}
  - command: subscribe
    args: {topic: t}
    sleep_after_action: 1h
  - command: connect
    args: {keepalive: 30}
)");
  EXPECT_FALSE(module_->hooks(plan_).on_connect);
  EXPECT_TRUE(module_->hooks(plan_).on_idle);
  EXPECT_EQ(mqtt.idle_period(), std::chrono::seconds(10));
  EXPECT_EQ(report_rows(*module_, plan_),
            (std::vector<std::string>{"connect", "subscribe", "connect", "on_idle"}));
  // While idle: PINGREQ on a session, nothing before one.
  FakeClient client;
  EXPECT_EQ(hook_now(mqtt, client, true).kind, CommandOutcome::Kind::ok);
  EXPECT_TRUE(client.sent.empty());
  state(client).version = 4;
  state(client).keepalive = 10;
  client.incoming = hex("d0 00");
  EXPECT_EQ(hook_now(mqtt, client, true).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.sent, ElementsAre(hex("c0 00")));
  // No keepalive asked for: no hook.
  instance("protocol: mqtt\nactions: [{command: connect, args: {keepalive: 0}}]\n");
  EXPECT_FALSE(module_->hooks(plan_).on_idle);
  EXPECT_EQ(report_rows(*module_, plan_), std::vector<std::string>{"connect"});
}

TEST_F(MqttBuiltinTest, OnConnectSettingsConnectEveryConnection) {
  ModuleInstance& mqtt = instance(R"(protocol: mqtt
on_connect: {version: 5, keepalive: 20, client_id: "c{id}"}
actions:
  - command: connect
    args: {keepalive: 40}
)");
  EXPECT_TRUE(module_->hooks(plan_).on_connect);
  EXPECT_EQ(mqtt.idle_period(), std::chrono::seconds(20));
  FakeClient client(2);
  client.incoming = hex("20 03 00 00 00");
  EXPECT_EQ(hook_now(mqtt, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent[0],
            packet(0x10, hex("00 04") + "MQTT" + hex("05 02 00 14 00 00 02") + "c2"));
  EXPECT_EQ(state(client).version, 5);
}

TEST_F(MqttBuiltinTest, PlanProblemsSayWhere) {
  EXPECT_EQ(problems(R"(protocol: mqtt
on_connect: {version: 6}
actions:
  - command: conect
  - command: publish
    args: {payload: x}
  - command: publish
    args: {topic: "a/#"}
  - command: publish
    args: {topic: t, qos: 3}
  - command: publish
    args: {topic: t, pipeline: 4}
  - command: subscribe
    args: {topic: "a/b#"}
  - command: subscribe
  - command: connect
    args: {will: {topic: w, colour: red}}
  - command: connect
    args: {password: p, keepalive: 70000}
  - command: connect
    args: {session_expiry: 10}
  - command: connect
    args: {keepalive: soon}
)"),
            "plan.yml:2:23: on_connect setting 'version': expected 3.1.1 (or 4), 5 (or 5.0) or "
            "3.1, got '6'\n"
            "plan.yml:4:14: unknown command 'conect' (module mqtt has: connect, disconnect, "
            "ping, publish, subscribe, unsubscribe)\n"
            "plan.yml:6:11: command 'publish' needs arg 'topic' (text)\n"
            "plan.yml:8:19: command 'publish' arg 'topic': 'a/#' has a wildcard (+ or #): those "
            "are for subscribing\n"
            "plan.yml:10:27: command 'publish' arg 'qos': expected 0 to 2, got 3\n"
            "plan.yml:12:32: command 'publish' arg 'pipeline': QoS 0 has no reply to await: "
            "give qos 1 or 2, or use rounds\n"
            "plan.yml:14:19: command 'subscribe' arg 'topic': 'a/b#' has a wildcard inside a "
            "level (+ and # take a whole level)\n"
            "plan.yml:15:14: command 'subscribe' needs arg 'topic' (text) or 'topics' (a list of "
            "text)\n"
            "plan.yml:17:37: command 'connect' arg 'will': unknown key 'colour' (takes: topic, "
            "payload, qos, retain)\n"
            "plan.yml:19:36: command 'connect' arg 'keepalive': expected 0 to 65535, got 70000\n"
            "plan.yml:21:28: command 'connect' arg 'session_expiry': needs version 5\n"
            "plan.yml:23:23: command 'connect' arg 'keepalive': expected a whole number, got "
            "'soon'");
}

TEST(MqttListing, SwarmProtocolsListsMqtt) {
  const std::string listing = describe_protocols(builtin_protocols());
  EXPECT_THAT(listing, HasSubstr("\nmqtt: MQTT 3.1.1, and 5.0 with version: 5"));
  EXPECT_THAT(listing, HasSubstr("    publish: PUBLISH"));
  EXPECT_THAT(listing, HasSubstr("      keepalive"));
}

}  // namespace
}  // namespace swarm::protocol
