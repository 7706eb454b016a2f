// What keeps an MQTT session: packet ids, the keepalive (the `ping`
// command, and PINGREQ while the plan sleeps), and the connection setup
// that does CONNECT on every connection when the plan gives on_connect
// settings.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "protocol/builtin/mqtt/mqtt_parser.hpp"
#include "protocol/builtin/mqtt/mqtt_parts.hpp"

namespace swarm::protocol::builtin::mqtt {
namespace {

std::uint32_t now_seconds() noexcept {
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  return static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

/// `ping`: PINGREQ, `pipeline` at a time.
class Ping final : public RequestReply<MqttParser> {
 public:
  explicit Ping(std::uint32_t pipeline) : RequestReply(pipeline) { build_once(); }

  Task<void> run(Call& call) const override {
    note_sent(session(call, "ping"));
    co_await RequestReply::run(call);
  }

 private:
  void render(std::string& out, const Substitutions&) const override { out += kPingreq; }
  std::optional<std::string> check(std::string_view reply, Client&) const override {
    if (split(reply).type() == Type::pingresp) return std::nullopt;
    return fmt::format("expected PINGRESP, got {}", split(reply).name());
  }
};

/// CONNECT on every connection (with on_connect settings), and PINGREQ
/// every `period` while the plan sleeps.
class Setup final : public ConnectionSetup {
 public:
  Setup(std::optional<ConnectRequest> connect, std::chrono::nanoseconds period)
      : connect_(std::move(connect)), period_(period) {}

  Task<void> on_connect(Call& call) const override {
    if (connect_) co_await connect(call, *connect_);
  }
  bool has_on_connect() const override { return connect_.has_value(); }
  std::chrono::nanoseconds idle_period() const override { return period_; }
  Task<void> on_idle(Call& call) const override {
    // Only a session with a keepalive needs one (not before `connect`).
    const MqttState& state = call.state<MqttState>();
    if (state.version != 0 && state.keepalive != 0) co_await ping(call);
  }

 private:
  std::optional<ConnectRequest> connect_;  // from on_connect, if given
  std::chrono::nanoseconds period_;        // the shortest keepalive; 0: none
};

/// The keepalive a `connect` action asks for.
std::uint16_t keepalive_of(const plan::Action& action) {
  if (action.command != "connect") return 0;
  return static_cast<std::uint16_t>(
      ArgReader(action.command, action.args).integer("keepalive", 0, 65535, 60));
}

}  // namespace

std::uint16_t next_packet_id(MqttState& state) noexcept {
  state.last_packet_id =
      static_cast<std::uint16_t>(state.last_packet_id == 65535 ? 1 : state.last_packet_id + 1);
  return state.last_packet_id;
}

void note_sent(MqttState& state) noexcept {
  state.last_sent = now_seconds();
}

bool keepalive_half_gone(const MqttState& state) noexcept {
  return state.keepalive != 0 && now_seconds() - state.last_sent >= state.keepalive / 2u;
}

MqttState& session(Call& call, std::string_view command) {
  MqttState& state = call.state<MqttState>();
  if (state.version != 0) return state;
  throw std::runtime_error(fmt::format(
      "no MQTT session on this connection: '{}' before 'connect' (begin the plan with a "
      "'connect' action, or give on_connect settings)",
      command));
}

Packet expect(std::string_view reply, Type type) {
  Packet packet = split(reply);
  if (packet.type() == type) return packet;
  throw std::runtime_error(fmt::format("expected {}, got {}",
                                       type_name(static_cast<std::uint8_t>(type)), packet.name()));
}

Task<void> ping(Call& call) {
  note_sent(call.state<MqttState>());
  MqttParser parser;
  Reply reply = co_await call.client().send_for_reply(kPingreq, parser);
  if (reply.status != IoStatus::ok) co_return;
  expect(reply.data, Type::pingresp);
}

std::unique_ptr<BoundCommand> bind_ping(const ArgReader&, std::uint32_t pipeline) {
  return std::make_unique<Ping>(pipeline);
}

std::unique_ptr<ConnectionSetup> bind_setup(const ArgReader& settings,
                                            const std::vector<plan::Action>& actions) {
  std::optional<ConnectRequest> connect;
  if (!settings.value().is_null()) connect = bind_connect_request(settings);
  std::uint16_t keepalive = connect ? connect->keepalive : 0;
  for (const plan::Action& action : actions) {
    const std::uint16_t asked = keepalive_of(action);
    if (asked != 0 && (keepalive == 0 || asked < keepalive)) keepalive = asked;
  }
  if (!connect && keepalive == 0) return nullptr;
  return std::make_unique<Setup>(std::move(connect), std::chrono::seconds(keepalive));
}

}  // namespace swarm::protocol::builtin::mqtt
