// The websocket protocol's parts, shared by its files: its state per
// connection, the upgrade's settings, its commands' binders, and what every
// path does with a message the server sent (pings answered, a close ended).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/builtin/protocol.hpp"
#include "swarm/websocket.hpp"

namespace swarm::protocol::builtin::websocket {

/// What a websocket connection keeps (zeroed when it opens).
struct WsState {
  bool open;           // the upgrade was accepted: frames from here on
  bool awaiting_pong;  // `ping` waits: a pong is its reply, not a push
  bool closing;        // `close` sent a close frame: the server's is its reply
};

/// The upgrade request, bound once (open's args, or on_connect's).
struct Upgrade {
  TextTemplate path;                                          // GET path (with substitutions)
  std::vector<std::pair<std::string, TextTemplate>> headers;  // extra headers
  std::vector<std::string> subprotocols;                      // offered, in order
  std::string origin;                                         // Origin, or none
  bool has_host = false;                                      // headers give Host

  /// Reads path, headers, subprotocol, origin. Throws BindError.
  static Upgrade read(const ArgReader& args);
  /// The args it takes (open's, and on_connect's).
  static std::vector<ArgSpec> args();
};

/// Upgrades `call`'s connection unless it is open already. On a refusal
/// the connection is ended (counted, reconnected after a backoff).
Task<void> open_connection(Call& call, const Upgrade& upgrade);

/// The largest message taken from a server, and the most a payload may be.
inline constexpr std::uint64_t kMaxMessage = WsParser::kDefaultMaxMessage;

/// A fresh masking key for one client frame, from the worker's generator.
inline std::uint32_t mask_key(Client& client) {
  return static_cast<std::uint32_t>(client.random() >> 32);
}

// Binders, one per command (ws_commands.cpp, ws_handshake.cpp).
std::unique_ptr<BoundCommand> bind_open(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_send(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_send_for_reply(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_receive(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_ping(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_close(const ArgReader& args, std::uint32_t pipeline);

/// The upgrade on every new connection, when the plan gives on_connect.
std::unique_ptr<ConnectionSetup> bind_setup(const ArgReader& settings);

/// Takes what the server sends between commands (ws_push.cpp).
std::unique_ptr<PushHandler> make_push_handler();

/// What a message from the server meant for the connection.
enum class Heard : std::uint8_t {
  data,    // a text or binary message (pings inside it answered)
  ping,    // a ping, answered with its pong
  pong,    // a pong
  closed,  // a close frame: echoed, the connection ended and counted by code
};

/// Handles one message framed by WsParser on `client`: answers its pings
/// (send_now, frames masked with `client.random()`, built in `scratch`),
/// ends the connection on a close. Returns what it was; `message` gets its
/// data when it is one.
Heard hear(Client& client, std::string_view framed, std::string& scratch, WsMessage& message);

/// Counts a data message the server sent as received: topic "text" or
/// "binary", with the sender's stamp when it starts with one.
void count_message(Client& client, const WsMessage& message);

/// Throws when the connection is not upgraded yet: a data command needs it.
void require_open(Call& call, std::string_view command);

}  // namespace swarm::protocol::builtin::websocket
