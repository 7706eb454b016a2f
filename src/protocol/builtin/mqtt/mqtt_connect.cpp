// CONNECT: bound once from a `connect` action's args or the on_connect
// settings, rendered per connection (the client id takes {id}), and its
// CONNACK judged: a session starts, or the refusal is counted by its code.
// Also the `connect` and `disconnect` commands.
#include <fmt/format.h>

#include <random>

#include "protocol/builtin/mqtt/mqtt_parser.hpp"
#include "protocol/builtin/mqtt/mqtt_parts.hpp"

namespace swarm::protocol::builtin::mqtt {
namespace {

/// The protocol level a `version` arg names: 3.1.1 as "3.1.1", "311" or 4
/// (its level), 5.0 as 5 or "5.0", 3.1 as "3.1" or 3.
std::uint8_t read_version(const ArgReader& args) {
  const auto text = args.text("version");
  if (!text) return kVersion311;
  if (*text == "3.1.1" || *text == "311" || *text == "4") return kVersion311;
  if (*text == "5" || *text == "5.0") return kVersion5;
  if (*text == "3.1" || *text == "3") return kVersion31;
  args.fail("version", fmt::format("expected 3.1.1 (or 4), 5 (or 5.0) or 3.1, got '{}'", *text));
}

Payload text_payload(const plan::Value& value, std::string_view what) {
  return Payload(TextTemplate::compile(scalar_text(value), value.where, what));
}

std::optional<Payload> optional_text(const ArgReader& args, std::string_view name) {
  const plan::Value* value = args.find(name);
  if (value == nullptr) return std::nullopt;
  return text_payload(*value, args.what(name));
}

/// One key of `will`.
void read_will_key(ConnectRequest::Will& will, std::string_view key, const plan::Value& value,
                   const std::string& what) {
  auto fail = [&](std::string_view message) {
    throw BindError(value.where, fmt::format("{}: {}", what, message));
  };
  const bool scalar = value.as_map() == nullptr && value.as_list() == nullptr && !value.is_null();
  if (key == "topic" || key == "payload") {
    if (!scalar) fail(fmt::format("'{}' is text", key));
    if (key == "topic") check_topic_name(scalar_text(value), value.where, what + " topic");
    (key == "topic" ? will.topic : will.payload) = text_payload(value, what);
  } else if (key == "qos") {
    const auto* qos = std::get_if<std::int64_t>(&value.data);
    if (qos == nullptr || *qos < 0 || *qos > 2) fail("'qos' is 0, 1 or 2");
    will.qos = static_cast<std::uint8_t>(*qos);
  } else if (key == "retain") {
    const bool* retain = std::get_if<bool>(&value.data);
    if (retain == nullptr) fail("'retain' is true or false");
    will.retain = *retain;
  } else {
    fail(fmt::format("unknown key '{}' (takes: topic, payload, qos, retain)", key));
  }
}

std::optional<ConnectRequest::Will> read_will(const ArgReader& args) {
  const plan::Value* value = args.find("will");
  if (value == nullptr) return std::nullopt;
  ConnectRequest::Will will;
  bool has_topic = false;
  for (const auto& [key, item] : *value->as_map()) {
    read_will_key(will, key, item, args.what("will"));
    has_topic = has_topic || key == "topic";
  }
  if (!has_topic) args.fail("will", "needs 'topic' (and may take payload, qos, retain)");
  return will;
}

void render_field(std::string& out, const Payload& text, const Substitutions& with) {
  const std::size_t at = begin_field(out);
  text.render(out, with);
  end_field(out, at);
}

std::uint8_t connect_flags(const ConnectRequest& request) {
  std::uint8_t flags = request.clean_session ? 0x02 : 0x00;
  if (request.will) {
    flags |= static_cast<std::uint8_t>(0x04 | request.will->qos << 3);
    if (request.will->retain) flags |= 0x20;
  }
  if (request.password) flags |= 0x40;
  if (request.username) flags |= 0x80;
  return flags;
}

/// `connect`: CONNECT on a connection without a session. With one up (a
/// later iteration of the plan), it sends nothing, unless the keepalive is
/// half gone: then a PINGREQ, so that a plan of short sleeps keeps its
/// session without an on_idle call.
class Connect final : public BoundCommand {
 public:
  explicit Connect(ConnectRequest request) : request_(std::move(request)) {}

  Task<void> run(Call& call) const override {
    if (call.state<MqttState>().version == 0) {
      co_await connect(call, request_);
    } else if (keepalive_half_gone(call.state<MqttState>())) {
      co_await ping(call);
    }
  }

 private:
  ConnectRequest request_;
};

/// `disconnect`: DISCONNECT, then the connection closes (the plan starts
/// again from its first action on a new one).
class Disconnect final : public BoundCommand {
 public:
  Task<void> run(Call& call) const override {
    Client& client = call.client();
    if (call.state<MqttState>().version != 0) {
      call.state<MqttState>().version = 0;
      if (co_await client.send_noreply(kDisconnect) != IoStatus::ok) co_return;
    }
    client.close_connection();
  }
};

}  // namespace

void ConnectRequest::render(std::string& out, const Substitutions& with) const {
  const std::size_t start = begin_packet(out);
  append_string(out, version == kVersion31 ? "MQIsdp" : "MQTT");
  out.push_back(static_cast<char>(version));
  out.push_back(static_cast<char>(connect_flags(*this)));
  append_u16(out, keepalive);
  if (version == kVersion5) {
    if (session_expiry) {
      append_varint(out, 5);
      out.push_back(0x11);
      append_u32(out, *session_expiry);
    } else {
      out.push_back(0);  // no properties
    }
  }
  render_field(out, client_id, with);
  if (will) {
    if (version == kVersion5) out.push_back(0);  // no will properties
    render_field(out, will->topic, with);
    render_field(out, will->payload, with);
  }
  if (username) render_field(out, *username, with);
  if (password) render_field(out, *password, with);
  end_packet(out, start, 0x10);
}

namespace {

/// The default client id: "swarm-" and a random tag of this process before
/// the connection's id. Ids start at 1 in every swarm: without the tag, two
/// swarms on one broker (publishers and subscribers, a fleet's agents) would
/// take each other's sessions over. 22 bytes at most up to ten million
/// connections, inside MQTT 3.1's 23.
TextTemplate default_client_id() {
  static const std::string text = fmt::format("swarm-{:08x}-{{id}}", std::random_device{}());
  return TextTemplate::compile(text, {}, "client_id");
}

}  // namespace

ConnectRequest bind_connect_request(const ArgReader& args) {
  ConnectRequest request;
  request.version = read_version(args);
  const plan::Value* client_id = args.find("client_id");
  request.client_id = client_id != nullptr ? text_payload(*client_id, args.what("client_id"))
                                           : Payload(default_client_id());
  request.keepalive = static_cast<std::uint16_t>(args.integer("keepalive", 0, 65535, 60));
  request.clean_session = args.boolean("clean_session", true);
  request.username = optional_text(args, "username");
  request.password = optional_text(args, "password");
  if (request.password && !request.username && request.version != kVersion5) {
    args.fail("password", "needs 'username' too before MQTT 5");
  }
  request.will = read_will(args);
  if (args.has("session_expiry")) {
    if (request.version != kVersion5) args.fail("session_expiry", "needs version 5");
    request.session_expiry =
        static_cast<std::uint32_t>(args.integer("session_expiry", 0, UINT32_MAX, 0));
  }
  return request;
}

Task<void> connect(Call& call, const ConnectRequest& request) {
  Client& client = call.client();
  MqttParser parser;
  Reply reply;
  {
    BufferPool::Lease packet = call.buffers().lend();
    request.render(*packet, call.next_request());
    reply = co_await client.send_for_reply(*packet, parser);
  }
  if (reply.status != IoStatus::ok) co_return;
  const Connack connack = read_connack(expect(reply.data, Type::connack), request.version);
  if (connack.code == 0) {
    MqttState& state = call.state<MqttState>();
    state.version = request.version;
    state.keepalive = connack.properties.server_keepalive.value_or(request.keepalive);
    note_sent(state);
    co_return;
  }
  client.count_reply(
      fmt::format("connack:{}", reason_name(connack.code, request.version != kVersion5)), true);
  // The broker closes the connection after a refusal: waiting for that
  // makes the connection reconnect after a backoff, not at once.
  Reply after = co_await client.receive(parser);
  if (after.status != IoStatus::ok) co_return;
  throw std::runtime_error(fmt::format("the broker refused CONNECT ({}), then sent {}",
                                       reason_name(connack.code, request.version != kVersion5),
                                       split(after.data).name()));
}

std::unique_ptr<BoundCommand> bind_connect(const ArgReader& args, std::uint32_t) {
  return std::make_unique<Connect>(bind_connect_request(args));
}

std::unique_ptr<BoundCommand> bind_disconnect(const ArgReader&, std::uint32_t) {
  return std::make_unique<Disconnect>();
}

std::vector<ArgSpec> connect_args() {
  return {
      {"version", ArgType::text, false, "3.1.1 (the default; or 4), 5 (MQTT 5.0) or 3.1"},
      {"client_id", ArgType::text, false,
       fmt::format("the client identifier (default swarm-TAG-{{id}}, TAG random per swarm; {})",
                   kTemplateHelp)},
      {"keepalive", ArgType::integer, false,
       "seconds (default 60; 0: none); swarm sends PINGREQ while the plan sleeps"},
      {"clean_session", ArgType::boolean, false, "start a clean session (default true)"},
      {"username", ArgType::text, false, fmt::format("user name ({})", kTemplateHelp)},
      {"password", ArgType::text, false, fmt::format("password ({})", kTemplateHelp)},
      {"will", ArgType::map, false,
       "the will: {topic, payload, qos, retain}, published when the connection ends unasked"},
      {"session_expiry", ArgType::integer, false, "MQTT 5: session expiry interval, seconds"},
  };
}

}  // namespace swarm::protocol::builtin::mqtt
