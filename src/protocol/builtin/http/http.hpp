// The built-in http protocol (HTTP/1.1 over persistent connections).
#pragma once

#include "protocol/builtin/protocol.hpp"

namespace swarm::protocol::builtin {

/// http: `request` (method, path, headers, body or size, expect), with
/// `pipeline: N`; statuses counted per code and per class.
const Protocol& http_protocol();

}  // namespace swarm::protocol::builtin
