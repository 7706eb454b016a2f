// The built-in memcached protocol (the text protocol).
#pragma once

#include "protocol/builtin/protocol.hpp"

namespace swarm::protocol::builtin {

/// memcached: get, set, delete, incr; `pipeline: N` on each.
const Protocol& memcached_protocol();

}  // namespace swarm::protocol::builtin
