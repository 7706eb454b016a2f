// The built-in redis protocol (RESP2; RESP3 with `on_connect: {hello: 3}`).
#pragma once

#include "protocol/builtin/protocol.hpp"

namespace swarm::protocol::builtin {

/// Redis: ping, get, set, del, incr, lpush, rpop, hset, hget, publish,
/// subscribe, and any command as words; `pipeline: N` on each.
const Protocol& redis_protocol();

}  // namespace swarm::protocol::builtin
