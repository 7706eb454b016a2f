// publish: PUBLISH at QoS 0 (sent, nothing comes back), 1 (PUBACK) or 2
// (PUBREC, then PUBREL from swarm and PUBCOMP), `pipeline` messages at a
// time. A QoS 1 or 2 message is one request, timed from its PUBLISH to the
// ack that ends its exchange (PUBACK, PUBCOMP).
#include <fmt/format.h>

#include "protocol/builtin/mqtt/mqtt_parser.hpp"
#include "protocol/builtin/mqtt/mqtt_parts.hpp"

namespace swarm::protocol::builtin::mqtt {
namespace {

/// Whether `id` is one of the `count` packet ids from `first` on (ids run
/// 1 to 65535, then 1 again).
bool in_batch(std::uint16_t id, std::uint16_t first, std::uint32_t count) noexcept {
  if (id == 0) return false;
  const std::uint32_t distance = (id + 65535u - first) % 65535u;
  return distance < count;
}

/// Counts an ack's MQTT 5 reason ("puback:quota_exceeded"): a refusal as
/// an error, "no matching subscribers" as what it is. Returns whether the
/// message went through.
bool count_reason(Client& client, Type ack, std::uint8_t reason) {
  if (reason == 0) return true;
  const char* name = ack == Type::puback ? "puback" : ack == Type::pubrec ? "pubrec" : "pubcomp";
  client.count_reply(fmt::format("{}:{}", name, reason_name(reason)), reason >= 0x80);
  return reason < 0x80;
}

class PublishCommand final : public BoundCommand {
 public:
  PublishCommand(Payload topic, Payload payload, std::uint8_t qos, bool retain,
                 std::uint32_t pipeline)
      : topic_(std::move(topic)),
        payload_(std::move(payload)),
        qos_(qos),
        retain_(retain),
        pipeline_(pipeline) {
    if (qos_ == 0 && topic_.is_constant() && payload_.is_constant()) {
      render(constant_[0], Substitutions{}, 0, false);
      render(constant_[1], Substitutions{}, 0, true);
    }
  }

  Task<void> run(Call& call) const override {
    MqttState& state = session(call, "publish");
    const bool v5 = state.version == kVersion5;
    note_sent(state);
    if (qos_ == 0) {
      co_await publish_qos0(call, v5);
      co_return;
    }
    // The batch's packet ids run from `first` on.
    std::uint16_t first = 0;
    {
      BufferPool::Lease batch = call.buffers().lend();
      for (std::uint32_t i = 0; i < pipeline_; ++i) {
        const std::uint16_t id = next_packet_id(state);
        if (i == 0) first = id;
        render(*batch, call.next_request(), id, v5);
      }
      if (co_await call.client().send_pipelined(*batch, pipeline_) != IoStatus::ok) co_return;
    }
    std::optional<std::string> problem;
    if (qos_ == 1) {
      co_await read_pubacks(call.client(), first, v5, problem);
    } else {
      co_await exchange_qos2(call, first, v5, problem);
    }
    if (problem) throw std::runtime_error(*problem);
  }

 private:
  void render(std::string& out, const Substitutions& with, std::uint16_t id, bool v5) const {
    const std::size_t start = begin_packet(out);
    const std::size_t at = begin_field(out);
    topic_.render(out, with);
    end_field(out, at);
    if (qos_ > 0) append_u16(out, id);
    if (v5) out.push_back(0);  // no properties
    payload_.render(out, with);
    end_packet(out, start, static_cast<std::uint8_t>(0x30 | qos_ << 1 | (retain_ ? 1 : 0)));
  }

  Task<void> publish_qos0(Call& call, bool v5) const {
    if (!constant_[v5].empty()) {
      co_await call.client().send_noreply(constant_[v5]);
      co_return;
    }
    BufferPool::Lease packet = call.buffers().lend();
    render(*packet, call.next_request(), 0, v5);
    co_await call.client().send_noreply(*packet);
  }

  /// QoS 1: a PUBACK for each message of the batch.
  Task<void> read_pubacks(Client& client, std::uint16_t first, bool v5,
                          std::optional<std::string>& problem) const {
    MqttParser parser;
    for (std::uint32_t i = 0; i < pipeline_; ++i) {
      Reply reply = co_await client.read_reply(parser);
      if (reply.status != IoStatus::ok) co_return;
      if (auto wrong = judge_ack(reply.data, Type::puback, first, v5, client, nullptr)) {
        if (!problem) problem = std::move(wrong);
      }
    }
  }

  /// QoS 2: every PUBREC of the batch first (PUBRELs are held back until
  /// then, so no PUBCOMP comes in between), then the PUBRELs in one write,
  /// then a PUBCOMP for each: that ends its message's exchange and timing.
  Task<void> exchange_qos2(Call& call, std::uint16_t first, bool v5,
                           std::optional<std::string>& problem) const {
    Client& client = call.client();
    MqttParser parser;
    BufferPool::Lease releases = call.buffers().lend();  // PUBREL, 4 bytes each
    for (std::uint32_t recs = 0; recs < pipeline_;) {
      // Not a reply yet (the PUBCOMP is): read as a message, and what the
      // broker pushes meanwhile is taken here.
      Reply reply = co_await client.receive(parser);
      if (reply.status != IoStatus::ok) co_return;
      const Packet packet = split(reply.data);
      std::optional<std::string> wrong;
      if (is_incoming(packet.type())) {
        wrong = take_incoming(client, packet);
      } else {
        wrong = judge_ack(reply.data, Type::pubrec, first, v5, client, &*releases);
        ++recs;
      }
      if (wrong && !problem) problem = std::move(wrong);
    }
    if (releases->empty()) co_return;
    if (client.send_now(*releases) != IoStatus::ok) co_return;
    for (std::size_t done = 0; done < releases->size() / 4; ++done) {
      Reply reply = co_await client.read_reply(parser);
      if (reply.status != IoStatus::ok) co_return;
      auto wrong = judge_ack(reply.data, Type::pubcomp, first, v5, client, nullptr);
      if (wrong && !problem) problem = std::move(wrong);
    }
  }

  /// Checks an ack of `type` for the batch from `first`; for a PUBREC that
  /// lets the message through, appends its PUBREL to `releases`.
  std::optional<std::string> judge_ack(std::string_view reply, Type type, std::uint16_t first,
                                       bool v5, Client& client, std::string* releases) const {
    try {
      const Ack ack = read_ack(expect(reply, type), v5 ? kVersion5 : kVersion311);
      if (!in_batch(ack.packet_id, first, pipeline_)) {
        return fmt::format("{} for packet id {}, not one of this publish", split(reply).name(),
                           ack.packet_id);
      }
      const bool through = count_reason(client, type, ack.reason);
      if (releases != nullptr && through) {
        const auto release = mqtt::ack(Type::pubrel, ack.packet_id);
        releases->append(release.data(), release.size());
      }
    } catch (const std::exception& error) {
      return error.what();
    }
    return std::nullopt;
  }

  Payload topic_;            // the topic name
  Payload payload_;          // the message (a stamp first, with `stamp`)
  std::uint8_t qos_;         // 0, 1 or 2
  bool retain_;              // the broker keeps it for later subscribers
  std::uint32_t pipeline_;   // messages per call
  std::string constant_[2];  // QoS 0 without substitutions: 3.1.1's, 5.0's
};

}  // namespace

std::unique_ptr<BoundCommand> bind_publish(const ArgReader& args, std::uint32_t pipeline) {
  const std::string topic = *args.text("topic");
  check_topic_name(topic, args.where("topic"), args.what("topic"));
  const bool stamp = args.boolean("stamp", false);
  std::optional<Payload> payload = Payload::read(args, "payload", stamp);
  if (!payload) payload.emplace(TextTemplate{}, stamp);  // empty (a stamp alone)
  const auto qos = static_cast<std::uint8_t>(args.integer("qos", 0, 2, 0));
  if (qos == 0 && pipeline > 1) {
    args.fail("pipeline", "QoS 0 has no reply to await: give qos 1 or 2, or use rounds");
  }
  return std::make_unique<PublishCommand>(
      Payload(TextTemplate::compile(topic, args.where("topic"), args.what("topic"))),
      std::move(*payload), qos, args.boolean("retain", false), pipeline);
}

}  // namespace swarm::protocol::builtin::mqtt
