// The built-in websocket protocol (RFC 6455): the HTTP upgrade, messages
// sent and awaited, pings, the close handshake; what the server pushes
// between commands is read and counted.
#pragma once

#include "protocol/builtin/protocol.hpp"

namespace swarm::protocol::builtin {

/// WebSocket: open, send, send_for_reply, receive, ping, close.
const Protocol& websocket_protocol();

}  // namespace swarm::protocol::builtin
