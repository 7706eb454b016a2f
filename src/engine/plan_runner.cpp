#include "engine/plan_runner.hpp"

#include "engine/command_client.hpp"
#include "engine/connection.hpp"
#include "engine/plan_cursor.hpp"
#include "engine/worker.hpp"

namespace swarm::engine {
namespace {

using protocol::CommandOutcome;
using stats::ConnState;
using stats::Reason;

/// Counts a script error, with its message.
void count_script_error(Connection& connection, const CommandOutcome& outcome) {
  connection.count_failure(Reason::script_error);
  ++connection.recorder().script_errors[outcome.message];
}

/// What a command's outcome means for the plan, counting the failure once.
/// The client knows how the I/O ended; the module only whether it raised.
PlanEnd judge(Connection& connection, const CommandClient& client, std::uint32_t action,
              const CommandOutcome& outcome) {
  if (client.closed()) return connection.aborting() ? PlanEnd::aborted : PlanEnd::reconnect;
  const IoStatus io = client.failure();
  if (io == IoStatus::aborted || (io != IoStatus::ok && connection.aborting())) {
    return PlanEnd::aborted;
  }
  const bool raised = outcome.kind == CommandOutcome::Kind::script_error;
  if (io == IoStatus::ok && !raised) {
    connection.reset_backoff();
    return PlanEnd::next;
  }
  ++connection.recorder().actions[action].errors;
  if (io == IoStatus::ok) {
    // The stream is in step: the plan goes on, on this connection.
    count_script_error(connection, outcome);
    return PlanEnd::next;
  }
  if (io == IoStatus::protocol_error) {
    // Bytes a parser rejected: the server's fault, unless the module's own
    // parser raised (then it says so, and that is the one failure).
    if (raised) {
      count_script_error(connection, outcome);
    } else {
      connection.count_failure(Reason::protocol_error);
      ++connection.recorder().script_errors[client.protocol_error()];
    }
  }
  // Other I/O failures were counted where they happened; a module that
  // raised because of one adds nothing.
  return PlanEnd::failed;
}

/// Runs one command. A coroutine of its own so that the client and the
/// outcome (with its message) live in a frame only while a command runs,
/// not in the plan loop's idle frame. In rate mode the call's due time
/// lives here too, in its client.
Task<PlanEnd> call(Connection& connection, std::uint32_t action) {
  connection.set_state(ConnState::acting);
  auto& counts = connection.recorder().actions[action];
  ++counts.calls;
  const Clock::time_point due = connection.take_due();
  if (due != Clock::time_point{}) ++counts.scheduled;
  CommandClient client(connection, action, due);
  CommandOutcome outcome = co_await connection.worker().module().run(action, client);
  connection.end_command();
  co_return judge(connection, client, action, outcome);
}

/// What the connection waits for before `step`: the plan's sleep, or in
/// rate mode the call's due time (the schedule replaces the sleeps); no wait
/// at all otherwise. One wait, not a coroutine, so the plan loop's frame
/// (which every idle connection keeps) holds a single awaiter for all.
Connection::WaitAwaiter pace(Connection& connection, const PlanCursor::Step& step) noexcept {
  using Kind = PlanCursor::Step::Kind;
  const bool rate_mode = connection.worker().call_period() > Clock::duration::zero();
  switch (step.kind) {
    case Kind::sleep:
      if (rate_mode) return connection.no_wait();
      connection.set_state(ConnState::standby);
      return connection.pause_plan(step.duration);
    case Kind::call:
      return rate_mode ? connection.wait_due() : connection.no_wait();
    case Kind::iteration:
      // Rate mode skips the sleeps: an iteration that made no call at all
      // (rounds: 0) must still let the others run.
      return rate_mode && step.idle ? connection.pause({}) : connection.no_wait();
  }
  return connection.no_wait();
}

}  // namespace

Task<PlanEnd> run_plan(Connection& connection) {
  using Kind = PlanCursor::Step::Kind;
  Worker& worker = connection.worker();
  PlanCursor cursor(worker.plan().actions);
  for (;;) {
    const PlanCursor::Step step = cursor.next(worker.rng());
    if (co_await pace(connection, step) != IoStatus::ok) co_return PlanEnd::aborted;
    if (step.kind == Kind::iteration) ++connection.recorder().iterations;
    if (step.kind != Kind::call) continue;
    PlanEnd end = co_await call(connection, step.action);
    if (end != PlanEnd::next) co_return end;
  }
}

}  // namespace swarm::engine
