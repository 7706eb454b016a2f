// The mqtt protocol's description: its commands and their typed args (the
// table plans are checked against, and `swarm --protocols` prints), its
// on_connect settings (a CONNECT on every connection), its state and its
// push handler.
#include <fmt/format.h>

#include "protocol/builtin/mqtt/mqtt.hpp"
#include "protocol/builtin/mqtt/mqtt_parts.hpp"

namespace swarm::protocol::builtin {
namespace {

using namespace mqtt;

std::string templated(std::string_view help) {
  return fmt::format("{} ({})", help, kTemplateHelp);
}

std::vector<ArgSpec> filter_args(bool subscribe) {
  std::vector<ArgSpec> args{
      {"topic", ArgType::text, false, templated("a topic filter (+ and # as whole levels)")},
      {"topics", ArgType::text_list, false, "topic filters (each takes substitutions)"},
  };
  if (subscribe) args.push_back({"qos", ArgType::integer, false, "0 (the default), 1 or 2"});
  return args;
}

std::vector<CommandDef> mqtt_commands() {
  return {
      {{"connect", connect_args(),
        "CONNECT, unless the connection has a session already (then PINGREQ if the keepalive "
        "is half gone); a refused CONNACK is counted by its code (connack:not_authorized)"},
       bind_connect,
       false},
      {{"disconnect", std::vector<ArgSpec>{},
        "DISCONNECT, then the connection closes (the plan starts again on a new one)"},
       bind_disconnect,
       false},
      {{"ping", std::vector<ArgSpec>{}, "PINGREQ, PINGRESP"}, bind_ping},
      {{"publish",
        std::vector<ArgSpec>{
            {"topic", ArgType::text, true, templated("the topic name (no wildcards)")},
            {"payload", ArgType::text, false, templated("the message (default empty); or size")},
            {"size", ArgType::integer, false, "the message as this many bytes, made once"},
            {"qos", ArgType::integer, false,
             "0 (the default: nothing comes back), 1 (PUBACK) or 2 (PUBREC, PUBREL, PUBCOMP)"},
            {"retain", ArgType::boolean, false, "the broker keeps it for later subscribers"},
            {"stamp", ArgType::boolean, false,
             "start the message with swarm's send time, for publish-to-receive latency"}},
        "PUBLISH; at QoS 1 and 2 timed to the ack that ends the exchange"},
       bind_publish},
      {{"subscribe", filter_args(true),
        "SUBSCRIBE; then messages are counted per topic as they come (and acknowledged); "
        "refusals in SUBACK counted by code"},
       bind_subscribe,
       false},
      {{"unsubscribe", filter_args(false), "UNSUBSCRIBE"}, bind_unsubscribe, false},
  };
}

class MqttProtocol final : public Protocol {
 public:
  std::string_view name() const override { return "mqtt"; }
  std::string_view summary() const override {
    return "MQTT 3.1.1, and 5.0 with version: 5 on connect. While the plan sleeps, PINGREQ "
           "keeps each session alive, and what the broker publishes is read, counted per topic "
           "and acknowledged";
  }
  const std::vector<CommandDef>& commands() const override { return commands_; }
  std::optional<std::vector<ArgSpec>> on_connect_args() const override { return connect_args(); }
  std::unique_ptr<ConnectionSetup> bind_connection(const ArgReader& settings) const override {
    return bind_setup(settings, {});
  }
  std::unique_ptr<ConnectionSetup> bind_plan_connection(
      const ArgReader& settings, const std::vector<plan::Action>& actions) const override {
    return bind_setup(settings, actions);
  }
  std::size_t state_bytes() const override { return sizeof(MqttState); }
  std::unique_ptr<PushHandler> make_push_handler() const override {
    return mqtt::make_push_handler();
  }
  ProtocolDefaults defaults() const override {
    // The largest packet MQTT can carry, with its fixed header; and the
    // kernel's receive buffer: with the least one (a window of ~2 KiB, and
    // loopback's 64 KiB segments) a broker delivering QoS 1 messages waits
    // on its persist timer, seconds per window.
    return {std::size_t{kMaxRemainingLength} + kHeaderRoom, 0};
  }

 private:
  std::vector<CommandDef> commands_ = mqtt_commands();
};

}  // namespace

const Protocol& mqtt_protocol() {
  static const MqttProtocol protocol;
  return protocol;
}

}  // namespace swarm::protocol::builtin
