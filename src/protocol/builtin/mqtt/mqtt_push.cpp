// What the broker sends unasked: PUBLISH on a subscription (counted per
// topic, with the publish-to-receive latency of stamped ones, and
// acknowledged at QoS 1 and 2), PUBREL (the second half of an incoming
// QoS 2 exchange: PUBCOMP), and MQTT 5's DISCONNECT and AUTH (counted as
// script errors with the broker's reason). They come between commands or
// while a reply is awaited; either way they are taken out of the stream
// before the reply.
#include <fmt/format.h>

#include "core/stamp.hpp"
#include "protocol/builtin/mqtt/mqtt_parser.hpp"
#include "protocol/builtin/mqtt/mqtt_parts.hpp"

namespace swarm::protocol::builtin::mqtt {
namespace {

/// Sends `type`'s ack for `packet_id` at once (the handler must not wait).
void answer(Client& client, MqttState& state, Type type, std::uint16_t packet_id) {
  const auto bytes = ack(type, packet_id);
  client.send_now(std::string_view(bytes.data(), bytes.size()));
  note_sent(state);
}

std::optional<std::string> take_publish(Client& client, MqttState& state, Packet packet,
                                        std::uint8_t version) {
  const Publish publish = read_publish(packet, version);
  client.count_received(publish.topic, core::read_stamp(publish.payload));
  if (publish.qos == 1) answer(client, state, Type::puback, publish.packet_id);
  if (publish.qos == 2) answer(client, state, Type::pubrec, publish.packet_id);
  return std::nullopt;
}

class MqttPush final : public PushHandler {
 public:
  ReplyParser& framer() override { return framer_; }

  bool is_push(Client&, std::string_view message) override {
    return is_incoming(split(message).type());
  }

  CommandOutcome on_push(Client& client, std::string_view message) override {
    auto wrong = take_incoming(client, split(message));
    if (!wrong) return {};
    return {CommandOutcome::Kind::script_error, "mqtt push: " + *wrong};
  }

 private:
  MqttParser framer_;  // frames one packet at a time
};

}  // namespace

bool is_incoming(Type type) noexcept {
  return type == Type::publish || type == Type::pubrel || type == Type::disconnect ||
         type == Type::auth;
}

std::optional<std::string> take_incoming(Client& client, Packet packet) {
  MqttState& state = connection_state<MqttState>(client);
  // Before CONNACK nothing should come; read it as 3.1.1 would.
  const std::uint8_t version = state.version != 0 ? state.version : kVersion311;
  try {
    switch (packet.type()) {
      case Type::publish:
        return take_publish(client, state, packet, version);
      case Type::pubrel:
        answer(client, state, Type::pubcomp, read_ack(packet, version).packet_id);
        return std::nullopt;
      case Type::disconnect: {
        // The broker closes the connection next: the next command's I/O
        // finds that and reconnects (a session marked gone would only
        // make commands fail without I/O, on a dead connection).
        const std::uint8_t reason = read_disconnect(packet, version);
        return fmt::format("the broker sent DISCONNECT ({})", reason_name(reason));
      }
      case Type::auth:
        return "the broker sent AUTH (MQTT 5 enhanced authentication is not supported)";
      default:
        return fmt::format("unexpected {} from the broker between commands", packet.name());
    }
  } catch (const DecodeError& error) {
    return error.what();
  }
}

std::unique_ptr<PushHandler> make_push_handler() {
  return std::make_unique<MqttPush>();
}

}  // namespace swarm::protocol::builtin::mqtt
