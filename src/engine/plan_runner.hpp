// The plan runner: runs the plan on one open TCP connection, iteration after
// iteration (the steps come from a PlanCursor), and decides from each
// command's outcome whether the plan goes on, starts again, or the
// connection must reconnect.
#pragma once

#include <cstdint>

#include "swarm/task.hpp"

namespace swarm::engine {

class Connection;

/// How a command call, or a run of the plan, ended.
enum class PlanEnd : std::uint8_t {
  next,       // the command went well: go on with the plan (calls only)
  restart,    // a script error: start the plan again on this connection
              // (calls only)
  aborted,    // abort() (decr, stop): close and end
  reconnect,  // close_connection(): reconnect at once
  failed,     // an I/O failure: reconnect after a backoff
};

/// Runs the plan on `connection` until an iteration ends it; never returns
/// next or restart.
Task<PlanEnd> run_plan(Connection& connection);

}  // namespace swarm::engine
