// The plan runner: runs the plan on one open TCP connection, iteration after
// iteration (the steps come from a PlanCursor), and decides from each
// command's outcome whether the plan goes on or the connection must
// reconnect. Each failed call is counted here or where it failed, once,
// under one reason.
//
// A script error (the module raised) is counted with its message, and the
// plan goes on with the next round or action on the same TCP connection,
// as if the command had returned, as long as the stream is in step (no
// reply is left half read). When it is not (a Lua reply parser that raised
// in the middle of a reply), the connection reconnects like after an I/O
// failure.
#pragma once

#include <cstdint>

#include "swarm/task.hpp"

namespace swarm::engine {

class Connection;

/// How a command call, or a run of the plan, ended.
enum class PlanEnd : std::uint8_t {
  next,       // go on with the plan (calls only): the command went well,
              // or raised with the stream in step
  aborted,    // abort() (decr, stop): close and end
  reconnect,  // close_connection(): reconnect at once
  failed,     // an I/O failure: reconnect after a backoff
};

/// Runs the plan on `connection` until an iteration ends it; never returns
/// next.
Task<PlanEnd> run_plan(Connection& connection);

}  // namespace swarm::engine
