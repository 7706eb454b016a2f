#include "engine/plan_runner.hpp"

#include "engine/command_client.hpp"
#include "engine/connection.hpp"
#include "engine/plan_cursor.hpp"
#include "engine/worker.hpp"

namespace swarm::engine {
namespace {

using protocol::CommandOutcome;
using stats::ConnState;

/// What a call runs: a plan action's command, or a connection hook.
enum class Run : std::uint8_t { action, on_connect, on_idle };

/// What a command's outcome means for the plan. The client knows how the
/// I/O ended; the module only whether it raised an error.
PlanEnd judge(Connection& connection, const CommandClient& client, std::uint32_t row,
              const CommandOutcome& outcome) {
  auto& rec = connection.recorder();
  if (client.closed()) return connection.aborting() ? PlanEnd::aborted : PlanEnd::reconnect;
  const IoStatus io = client.failure();
  if (io == IoStatus::aborted || (io != IoStatus::ok && connection.aborting())) {
    return PlanEnd::aborted;
  }
  if (io != IoStatus::ok || outcome.kind == CommandOutcome::Kind::script_error) {
    ++rec.actions[row].errors;
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
/// only while a command runs, not in the plan loop's idle frame.
Task<PlanEnd> call(Connection& connection, std::uint32_t row, Run what = Run::action) {
  Worker& worker = connection.worker();
  const ConnState before = connection.state();
  connection.set_state(ConnState::acting);
  ++connection.recorder().actions[row].calls;
  CommandClient client(connection, row);
  CommandOutcome outcome = co_await start(worker, what, row, client);
  PlanEnd end = judge(connection, client, row, outcome);
  // A failed on_connect leaves the connection unusable for the plan:
  // reconnect after a backoff.
  if (what == Run::on_connect && end == PlanEnd::restart) co_return PlanEnd::failed;
  if (what == Run::on_idle && end == PlanEnd::next) connection.set_state(before);
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
  if (auto row = worker.connect_row()) {
    PlanEnd end = co_await call(connection, *row, Run::on_connect);
    if (end != PlanEnd::next) co_return end;
  }
  PlanCursor cursor(worker.plan().actions);
  for (;;) {
    const PlanCursor::Step step = cursor.next(worker.rng());
    PlanEnd end = PlanEnd::next;
    if (step.kind == Kind::iteration) {
      ++connection.recorder().iterations;
    } else if (step.kind == Kind::sleep) {
      connection.set_state(ConnState::standby);
      std::chrono::nanoseconds left = step.duration;
      // A protocol that must speak while idle (a keepalive) does so every
      // idle period of a long sleep.
      const auto period = worker.module().idle_period();
      for (auto row = worker.idle_row(); row && left > period && end == PlanEnd::next;) {
        if (co_await connection.pause(period) != IoStatus::ok) co_return PlanEnd::aborted;
        left -= period;
        end = co_await call(connection, *row, Run::on_idle);
      }
      if (end == PlanEnd::next && co_await connection.pause(left) != IoStatus::ok) {
        co_return PlanEnd::aborted;
      }
    } else {
      end = co_await call(connection, step.action);
    }
    if (end == PlanEnd::restart) cursor.restart();
    if (end != PlanEnd::next && end != PlanEnd::restart) co_return end;
  }
}

}  // namespace swarm::engine
