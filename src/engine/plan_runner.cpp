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

/// What a call runs: a plan action's command, or a connection hook.
enum class Run : std::uint8_t { action, on_connect, on_idle };

/// Counts a script error, with its message.
void count_script_error(Connection& connection, const CommandOutcome& outcome) {
  connection.count_failure(Reason::script_error);
  ++connection.recorder().script_errors[outcome.message];
}

/// What a command's outcome means for the plan, counting the failure once.
/// The client knows how the I/O ended; the module only whether it raised.
PlanEnd judge(Connection& connection, const CommandClient& client, std::uint32_t row,
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
  ++connection.recorder().actions[row].errors;
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

Task<CommandOutcome> start(Worker& worker, Run what, std::uint32_t row, Client& client) {
  switch (what) {
    case Run::on_connect:
      return worker.module().on_connect(client);
    case Run::on_idle:
      return worker.module().on_idle(client);
    case Run::action:
      break;
  }
  return worker.module().run(row, client);
}

/// Runs one command (or hook), counted under `row`. A coroutine of its own
/// so that the client and the outcome (with its message) live in a frame
/// only while a command runs, not in the plan loop's idle frame. In rate
/// mode the call's due time lives here too, in its client.
Task<PlanEnd> call(Connection& connection, std::uint32_t row, Run what = Run::action) {
  const ConnState before = connection.state();
  connection.set_state(ConnState::acting);
  auto& counts = connection.recorder().actions[row];
  ++counts.calls;
  const Clock::time_point due = what == Run::action ? connection.take_due() : Clock::time_point{};
  if (due != Clock::time_point{}) ++counts.scheduled;
  CommandClient client(connection, row, due);
  CommandOutcome outcome = co_await start(connection.worker(), what, row, client);
  connection.end_command();
  const PlanEnd end = judge(connection, client, row, outcome);
  // A failed on_connect leaves the connection unusable for the plan:
  // reconnect after a backoff.
  const bool raised = outcome.kind == CommandOutcome::Kind::script_error;
  if (what == Run::on_connect && end == PlanEnd::next && raised) co_return PlanEnd::failed;
  if (what == Run::on_idle && end == PlanEnd::next) connection.set_state(before);
  co_return end;
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

/// Whether `step` is a sleep long enough for the protocol to speak while
/// idle (a keepalive: its on_idle hook every idle period). Rate mode has no
/// sleeps.
bool speaks_while_idle(Connection& connection, const PlanCursor::Step& step) {
  Worker& worker = connection.worker();
  return step.kind == PlanCursor::Step::Kind::sleep && worker.idle_row() &&
         worker.call_period() <= Clock::duration::zero() &&
         step.duration > worker.module().idle_period();
}

/// A long sleep of a protocol that speaks while idle: its on_idle hook every
/// idle period, then the rest of the sleep.
Task<PlanEnd> sleep_speaking(Connection& connection, std::chrono::nanoseconds left) {
  Worker& worker = connection.worker();
  const auto period = worker.module().idle_period();
  const std::uint32_t row = *worker.idle_row();
  connection.set_state(ConnState::standby);
  while (left > period) {
    if (co_await connection.pause_plan(period) != IoStatus::ok) co_return PlanEnd::aborted;
    if (connection.stream_ended()) co_return PlanEnd::failed;  // counted where found
    left -= period;
    const PlanEnd end = co_await call(connection, row, Run::on_idle);
    if (end != PlanEnd::next) co_return end;
  }
  if (co_await connection.pause_plan(left) != IoStatus::ok) co_return PlanEnd::aborted;
  co_return connection.stream_ended() ? PlanEnd::failed : PlanEnd::next;
}

}  // namespace

Task<PlanEnd> run_plan(Connection& connection) {
  using Kind = PlanCursor::Step::Kind;
  Worker& worker = connection.worker();
  if (auto row = worker.connect_row()) {
    const PlanEnd end = co_await call(connection, *row, Run::on_connect);
    if (end != PlanEnd::next) co_return end;
  }
  PlanCursor cursor(worker.plan().actions);
  for (;;) {
    const PlanCursor::Step step = cursor.next(worker.rng());
    if (speaks_while_idle(connection, step)) {
      const PlanEnd end = co_await sleep_speaking(connection, step.duration);
      if (end != PlanEnd::next) co_return end;
      continue;
    }
    if (co_await pace(connection, step) != IoStatus::ok) co_return PlanEnd::aborted;
    if (connection.stream_ended()) co_return PlanEnd::failed;  // counted where found
    if (step.kind == Kind::iteration) ++connection.recorder().iterations;
    if (step.kind != Kind::call) continue;
    const PlanEnd end = co_await call(connection, step.action);
    if (end != PlanEnd::next) co_return end;
  }
}

}  // namespace swarm::engine
