#include "engine/plan_runner.hpp"

#include "engine/command_client.hpp"
#include "engine/connection.hpp"
#include "engine/plan_cursor.hpp"
#include "engine/worker.hpp"

namespace swarm::engine {
namespace {

using protocol::CommandOutcome;
using stats::ConnState;

/// What a command's outcome means for the plan. The client knows how the
/// I/O ended; the module only whether it raised an error.
PlanEnd judge(Connection& connection, const CommandClient& client, std::uint32_t action,
              const CommandOutcome& outcome) {
  auto& rec = connection.recorder();
  if (client.closed()) return connection.aborting() ? PlanEnd::aborted : PlanEnd::reconnect;
  const IoStatus io = client.failure();
  if (io == IoStatus::aborted || (io != IoStatus::ok && connection.aborting())) {
    return PlanEnd::aborted;
  }
  if (io != IoStatus::ok || outcome.kind == CommandOutcome::Kind::script_error) {
    ++rec.actions[action].errors;
  }
  if (outcome.kind == CommandOutcome::Kind::script_error) {
    // Counted even after a failed call: a Lua reply parser that raised is
    // why its reply failed, and says so.
    ++rec.errors[static_cast<std::size_t>(stats::Reason::script_error)];
    ++rec.script_errors[outcome.message];
  }
  if (io != IoStatus::ok) return PlanEnd::failed;  // its reason was counted where it failed
  if (outcome.kind == CommandOutcome::Kind::script_error) return PlanEnd::restart;
  connection.reset_backoff();
  return PlanEnd::next;
}

/// Runs one command. A coroutine of its own so that the client and the
/// outcome (with its message) live in a frame only while a command runs,
/// not in the plan loop's idle frame.
Task<PlanEnd> call(Connection& connection, std::uint32_t action) {
  Worker& worker = connection.worker();
  connection.set_state(ConnState::acting);
  ++connection.recorder().actions[action].calls;
  CommandClient client(connection, action);
  CommandOutcome outcome = co_await worker.module().run(action, client);
  PlanEnd end = judge(connection, client, action, outcome);
  if (end != PlanEnd::restart) co_return end;
  // A script error with the stream in step (no reply is pending): keep the
  // connection, back off, and start the plan again.
  connection.set_state(ConnState::backoff);
  if (co_await connection.pause(worker.config().backoff_max / 5) != IoStatus::ok) {
    co_return PlanEnd::aborted;
  }
  co_return PlanEnd::restart;
}

}  // namespace

Task<PlanEnd> run_plan(Connection& connection) {
  using Kind = PlanCursor::Step::Kind;
  Worker& worker = connection.worker();
  PlanCursor cursor(worker.plan().actions);
  for (;;) {
    const PlanCursor::Step step = cursor.next(worker.rng());
    if (step.kind == Kind::iteration) {
      ++connection.recorder().iterations;
    } else if (step.kind == Kind::sleep) {
      connection.set_state(ConnState::standby);
      if (co_await connection.pause(step.duration) != IoStatus::ok) co_return PlanEnd::aborted;
    } else {
      PlanEnd end = co_await call(connection, step.action);
      if (end == PlanEnd::restart) cursor.restart();
      if (end != PlanEnd::next && end != PlanEnd::restart) co_return end;
    }
  }
}

}  // namespace swarm::engine
