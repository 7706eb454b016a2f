// The websocket protocol's description: its commands and their typed args
// (the table plans are checked against, and `swarm --protocols` prints), its
// on_connect settings (the upgrade on every connection), its state and its
// push handler.
#include <fmt/format.h>

#include "protocol/builtin/websocket/websocket.hpp"
#include "protocol/builtin/websocket/ws_parts.hpp"

namespace swarm::protocol::builtin {
namespace {

using namespace websocket;

std::vector<ArgSpec> message_args() {
  return {
      {"text", ArgType::text, false, fmt::format("a text message ({})", kTemplateHelp)},
      {"binary", ArgType::text, false, fmt::format("a binary message ({})", kTemplateHelp)},
      {"size", ArgType::integer, false, "a binary message of this many bytes, made once"},
      {"stamp", ArgType::boolean, false,
       "start the message with swarm's send time, for send-to-receive latency"},
  };
}

std::vector<CommandDef> websocket_commands() {
  return {
      {{"open", Upgrade::args(),
        "the HTTP upgrade (checked: 101, Sec-WebSocket-Accept, the subprotocol); nothing on a "
        "connection upgraded already"},
       bind_open,
       false},
      {{"send", message_args(),
        "send a message, no reply awaited (what comes back is counted as received)"},
       bind_send,
       false},
      {{"send_for_reply", message_args(), "send a message; the next message is its reply, timed"},
       bind_send_for_reply},
      {{"receive", std::vector<ArgSpec>{},
        "wait for the next message the server sends (up to --timeout)"},
       bind_receive,
       false},
      {{"ping",
        std::vector<ArgSpec>{
            {"payload", ArgType::text, false,
             fmt::format("what the ping carries, at most 125 bytes ({})", kTemplateHelp)}},
        "a ping; its pong is the reply, timed"},
       bind_ping,
       false},
      {{"close",
        std::vector<ArgSpec>{
            {"code", ArgType::integer, false, "the close code, default 1000"},
            {"reason", ArgType::text, false, "the close reason, at most 123 bytes"}},
        "the close handshake (the server's close is the reply), then a new connection"},
       bind_close,
       false},
  };
}

class WebsocketProtocol final : public Protocol {
 public:
  std::string_view name() const override { return "websocket"; }
  std::string_view summary() const override {
    return "WebSocket (RFC 6455; wss with --tls). Server pings are answered, messages pushed "
           "between commands counted as received, a server's close counted by code "
           "(closed:ws_1011)";
  }
  const std::vector<CommandDef>& commands() const override { return commands_; }
  std::optional<std::vector<ArgSpec>> on_connect_args() const override { return Upgrade::args(); }
  std::unique_ptr<ConnectionSetup> bind_connection(const ArgReader& settings) const override {
    return bind_setup(settings);
  }
  std::size_t state_bytes() const override { return sizeof(WsState); }
  std::unique_ptr<PushHandler> make_push_handler() const override {
    return websocket::make_push_handler();
  }
  ProtocolDefaults defaults() const override {
    // A message as large as the parser takes, with its frames' headers.
    return {static_cast<std::size_t>(kMaxMessage) + 4096};
  }

 private:
  std::vector<CommandDef> commands_ = websocket_commands();
};

}  // namespace

const Protocol& websocket_protocol() {
  static const WebsocketProtocol protocol;
  return protocol;
}

}  // namespace swarm::protocol::builtin
