// subscribe and unsubscribe: one SUBSCRIBE (UNSUBSCRIBE) for all the
// action's topic filters, and its SUBACK (UNSUBACK) judged code by code.
// Messages on the subscriptions arrive as pushes (mqtt_push.cpp), counted
// per topic.
#include <fmt/format.h>

#include "protocol/builtin/mqtt/mqtt_parser.hpp"
#include "protocol/builtin/mqtt/mqtt_parts.hpp"

namespace swarm::protocol::builtin::mqtt {
namespace {

/// Counts SUBACK's code for a filter asked at `qos`: a refusal as an error,
/// a lower QoS than asked as what it is.
void count_suback(Client& client, std::uint8_t code, std::uint8_t qos, bool v5) {
  if (code >= 0x80) {
    client.count_reply(v5 ? fmt::format("suback:{}", reason_name(code)) : "suback:failure", true);
  } else if (code < qos) {
    client.count_reply(fmt::format("suback:granted_qos{}", code), false);
  }
}

/// Counts UNSUBACK's code (MQTT 5; 3.1.1 has none): a refusal as an error,
/// and a filter that was not subscribed.
void count_unsuback(Client& client, std::uint8_t code) {
  if (code >= 0x80 || code == 0x11) {
    client.count_reply(fmt::format("unsuback:{}", reason_name(code)), code >= 0x80);
  }
}

/// SUBSCRIBE or UNSUBSCRIBE of `filters`.
class Subscription final : public BoundCommand {
 public:
  Subscription(std::vector<Payload> filters, std::uint8_t qos, bool subscribe)
      : filters_(std::move(filters)), qos_(qos), subscribe_(subscribe) {}

  Task<void> run(Call& call) const override {
    MqttState& state = session(call, subscribe_ ? "subscribe" : "unsubscribe");
    const std::uint8_t version = state.version;
    const std::uint16_t id = next_packet_id(state);
    note_sent(state);
    MqttParser parser;
    Reply reply{IoStatus::ok, {}};
    {
      BufferPool::Lease packet = call.buffers().lend();
      render(*packet, call.next_request(), id, version == kVersion5);
      reply = co_await call.client().send_for_reply(*packet, parser);
    }
    if (reply.status != IoStatus::ok) co_return;
    judge(reply.data, call.client(), id, version);
  }

 private:
  void render(std::string& out, const Substitutions& with, std::uint16_t id, bool v5) const {
    const std::size_t start = begin_packet(out);
    append_u16(out, id);
    if (v5) out.push_back(0);  // no properties
    for (const Payload& filter : filters_) {
      const std::size_t at = begin_field(out);
      filter.render(out, with);
      end_field(out, at);
      if (subscribe_) out.push_back(static_cast<char>(qos_));
    }
    end_packet(out, start, subscribe_ ? 0x82 : 0xA2);
  }

  void judge(std::string_view reply, Client& client, std::uint16_t id, std::uint8_t version) const {
    const Type type = subscribe_ ? Type::suback : Type::unsuback;
    const SubAck ack = read_suback(expect(reply, type), version);
    if (ack.packet_id != id) {
      throw std::runtime_error(
          fmt::format("{} for packet id {}, expected {}", split(reply).name(), ack.packet_id, id));
    }
    const bool codes = subscribe_ || version == kVersion5;
    if (codes && ack.codes.size() != filters_.size()) {
      throw std::runtime_error(fmt::format("{} with {} codes for {} topic filters",
                                           split(reply).name(), ack.codes.size(), filters_.size()));
    }
    for (const char code : ack.codes) {
      const auto value = static_cast<std::uint8_t>(code);
      if (subscribe_) {
        count_suback(client, value, qos_, version == kVersion5);
      } else {
        count_unsuback(client, value);
      }
    }
  }

  std::vector<Payload> filters_;  // the topic filters, in order
  std::uint8_t qos_;              // subscribe: the QoS asked for each
  bool subscribe_;                // SUBSCRIBE, else UNSUBSCRIBE
};

}  // namespace

std::unique_ptr<BoundCommand> bind_subscribe(const ArgReader& args, std::uint32_t) {
  auto qos = static_cast<std::uint8_t>(args.integer("qos", 0, 2, 0));
  return std::make_unique<Subscription>(read_filters(args), qos, true);
}

std::unique_ptr<BoundCommand> bind_unsubscribe(const ArgReader& args, std::uint32_t) {
  return std::make_unique<Subscription>(read_filters(args), 0, false);
}

}  // namespace swarm::protocol::builtin::mqtt
