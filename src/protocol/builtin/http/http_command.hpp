// The http protocol's one command, `request`: an HttpRequest sent
// `pipeline` at a time on the connection, each reply framed by
// HttpReplyParser and counted by its status code and class; a reply that
// ends the connection (`Connection: close`, a body framed by the close)
// makes swarm reconnect, counted as the reply kind `close`.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "protocol/builtin/protocol.hpp"

namespace swarm::protocol::builtin::http {

/// Binds a `request` action. Throws BindError.
std::unique_ptr<BoundCommand> bind_request(const ArgReader& args, std::uint32_t pipeline);

/// A `request` action's report row: its `name`, else "METHOD /path" as
/// written.
std::string request_row(const ArgReader& args);

}  // namespace swarm::protocol::builtin::http
