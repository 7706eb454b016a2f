#include "protocol/builtin/builtin_instance.hpp"

#include <exception>
#include <utility>

namespace swarm::protocol::builtin {
namespace {

/// What a script error reads: "set: unexpected reply ...".
CommandOutcome failed(std::string_view name, std::string_view what) {
  std::string message(name);
  message += ": ";
  message += what;
  return {CommandOutcome::Kind::script_error, std::move(message)};
}

/// Runs `task`, turning what it throws into a script error of `name`.
Task<CommandOutcome> guarded(std::string_view name, Task<void> task) {
  std::string problem;
  try {
    co_await std::move(task);
    co_return CommandOutcome{};
  } catch (const std::exception& error) {
    problem = error.what();
  } catch (...) {
    problem = "unknown exception";
  }
  co_return failed(name, problem);
}

}  // namespace

BuiltinInstance::BuiltinInstance(const Protocol& protocol, std::vector<Bound> actions,
                                 std::unique_ptr<ConnectionSetup> setup)
    : actions_(std::move(actions)),
      setup_(std::move(setup)),
      push_(protocol.make_push_handler()),
      state_bytes_(kHeaderBytes + protocol.state_bytes()) {}

Task<CommandOutcome> BuiltinInstance::run(std::size_t action, Client& client) {
  // guarded() written out: the hot path saves a coroutine frame.
  const Bound& bound = actions_[action];
  Call call(client, buffers_);
  std::string problem;
  try {
    co_await bound.command->run(call);
    co_return CommandOutcome{};
  } catch (const std::exception& error) {
    problem = error.what();
  } catch (...) {
    problem = "unknown exception";
  }
  co_return failed(bound.name, problem);
}

Task<CommandOutcome> BuiltinInstance::on_connect(Client& client) {
  Call call(client, buffers_);
  co_return co_await guarded("on_connect", setup_->on_connect(call));
}

Task<CommandOutcome> BuiltinInstance::on_idle(Client& client) {
  Call call(client, buffers_);
  co_return co_await guarded("on_idle", setup_->on_idle(call));
}

std::chrono::nanoseconds BuiltinInstance::idle_period() const {
  return setup_ ? setup_->idle_period() : std::chrono::nanoseconds::zero();
}

}  // namespace swarm::protocol::builtin
