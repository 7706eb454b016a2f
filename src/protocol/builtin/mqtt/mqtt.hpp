// The built-in mqtt protocol (MQTT 3.1.1; 5.0 with `version: 5`).
#pragma once

#include "protocol/builtin/protocol.hpp"

namespace swarm::protocol::builtin {

/// MQTT: connect, disconnect, ping, publish (QoS 0, 1, 2), subscribe,
/// unsubscribe; PINGREQ while idle; pushed messages counted per topic.
const Protocol& mqtt_protocol();

}  // namespace swarm::protocol::builtin
