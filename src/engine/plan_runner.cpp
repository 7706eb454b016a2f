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
/// not in the plan loop's idle frame. In rate mode the call's due time
/// lives here too, in its client.
Task<PlanEnd> call(Connection& connection, std::uint32_t action) {
  Worker& worker = connection.worker();
  connection.set_state(ConnState::acting);
  auto& counts = connection.recorder().actions[action];
  ++counts.calls;
  const Clock::time_point due = connection.take_due();
  if (due != Clock::time_point{}) ++counts.scheduled;
  CommandClient client(connection, action, due);
  CommandOutcome outcome = co_await worker.module().run(action, client);
  PlanEnd end = judge(connection, client, action, outcome);
  if (end != PlanEnd::restart) co_return end;
  // A script error with the stream in step (no reply is pending): keep the
  // connection, back off, and start the plan again (and, in rate mode, the
  // schedule: calls due while backing off are not owed).
  connection.reset_schedule();
  connection.set_state(ConnState::backoff);
  if (co_await connection.pause(worker.config().backoff_max / 5) != IoStatus::ok) {
    co_return PlanEnd::aborted;
  }
  co_return PlanEnd::restart;
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
    if (end == PlanEnd::restart) cursor.restart();
    if (end != PlanEnd::next && end != PlanEnd::restart) co_return end;
  }
}

}  // namespace swarm::engine
