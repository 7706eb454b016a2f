// The mqtt protocol's parts, shared by its files: its state per connection,
// the CONNECT a plan binds (from a `connect` action or the on_connect
// settings), its commands' binders, its connection setup and push handler.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/builtin/mqtt/mqtt_codec.hpp"
#include "protocol/builtin/payload.hpp"
#include "protocol/builtin/protocol.hpp"

namespace swarm::protocol::builtin::mqtt {

/// What an MQTT connection keeps (zeroed when the TCP connection opens).
struct MqttState {
  std::uint32_t last_sent;       // when it last sent a packet (steady clock, seconds)
  std::uint16_t last_packet_id;  // the last packet id used (1 to 65535; 0: none yet)
  std::uint16_t keepalive;       // the session's keepalive in seconds (the broker's, if it set one)
  std::uint8_t version;          // the session's protocol level; 0: no session (no CONNACK yet)
};

/// The next packet id of the connection (1 to 65535, then 1 again).
std::uint16_t next_packet_id(MqttState& state) noexcept;
/// The connection sent a packet now (the broker's keepalive starts again).
void note_sent(MqttState& state) noexcept;
/// Whether half the keepalive has passed since the connection last sent.
bool keepalive_half_gone(const MqttState& state) noexcept;
/// PINGREQ, and its PINGRESP read.
Task<void> ping(Call& call);

/// Throws BindError at `where` when `topic` (as written, substitutions in
/// braces) cannot be a topic name to publish to: empty, or with a wildcard
/// (+, #) or a NUL. `what` names the arg (mqtt_topics.cpp).
void check_topic_name(std::string_view topic, plan::SourceLocation where, std::string_view what);
/// The same for a topic filter to subscribe to: wildcards only as whole
/// levels ("a/+/b", "a/#"), # last.
void check_topic_filter(std::string_view filter, plan::SourceLocation where, std::string_view what);
/// The topics (`topic` and `topics` args) of a subscribe or unsubscribe,
/// each checked as a filter; at least one (mqtt_topics.cpp).
std::vector<Payload> read_filters(const ArgReader& args);

/// A CONNECT, bound from a `connect` action's args or the on_connect
/// settings (mqtt_connect.cpp).
struct ConnectRequest {
  /// The will: published by the broker when the connection ends unasked.
  struct Will {
    Payload topic;
    Payload payload;
    std::uint8_t qos = 0;
    bool retain = false;
  };
  std::uint8_t version = kVersion311;
  Payload client_id;
  std::uint16_t keepalive = 60;
  bool clean_session = true;
  std::optional<Payload> username;
  std::optional<Payload> password;
  std::optional<Will> will;
  std::optional<std::uint32_t> session_expiry;  // MQTT 5

  /// Appends the CONNECT packet.
  void render(std::string& out, const Substitutions& with) const;
};

/// Binds CONNECT from `args` (throws BindError).
ConnectRequest bind_connect_request(const ArgReader& args);
/// Sends `request` and reads its CONNACK: the session starts (the state
/// says so), or the refusal is counted by its code ("connack:not_authorized")
/// and the connection waits for the broker to close it, so that it
/// reconnects after a backoff.
Task<void> connect(Call& call, const ConnectRequest& request);
/// The args CONNECT takes (the `connect` command's, and on_connect's).
std::vector<ArgSpec> connect_args();

// Binders, one per command.
std::unique_ptr<BoundCommand> bind_connect(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_disconnect(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_ping(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_publish(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_subscribe(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_unsubscribe(const ArgReader& args, std::uint32_t pipeline);

/// CONNECT on every new connection when the plan gives on_connect
/// settings, and PINGREQ while idle at the shortest keepalive the plan asks
/// for (on_connect's or its `connect` actions'); null when neither applies
/// (mqtt_setup.cpp).
std::unique_ptr<ConnectionSetup> bind_setup(const ArgReader& settings,
                                            const std::vector<plan::Action>& actions);

/// Takes what the broker sends unasked (mqtt_push.cpp).
std::unique_ptr<PushHandler> make_push_handler();

/// A packet the broker sent unasked (PUBLISH, PUBREL, DISCONNECT, AUTH),
/// between commands or while a reply was awaited: counted, and answered
/// with send_now() (PUBACK, PUBREC, PUBCOMP). Returns what was wrong, if
/// anything (mqtt_push.cpp).
std::optional<std::string> take_incoming(Client& client, Packet packet);
/// Whether the broker sends `type` unasked.
bool is_incoming(Type type) noexcept;

/// The session of the connection `call` runs on; throws when it has none
/// (the plan sends before `connect`). `command` names it in the message.
MqttState& session(Call& call, std::string_view command);

/// Reads a reply of `type`: throws DecodeError-like runtime errors naming
/// what came instead.
Packet expect(std::string_view reply, Type type);

}  // namespace swarm::protocol::builtin::mqtt
