#include "protocol/native/native_instance.hpp"

#include <exception>
#include <utility>

namespace swarm::protocol {

NativeInstance::NativeInstance(std::vector<Bound> actions, const ModuleHooks* hooks,
                               void (*forget)(std::uint64_t))
    : actions_(std::move(actions)), hooks_(hooks), forget_(forget) {
  if (hooks_ != nullptr && hooks_->make_push_framer != nullptr && hooks_->on_push != nullptr) {
    framer_.reset(hooks_->make_push_framer());
  }
}

Task<CommandOutcome> NativeInstance::run(std::size_t action, Client& client) {
  const Bound& bound = actions_[action];
  std::string failure;
  try {
    co_await bound.run(client, bound.args);
  } catch (const std::exception& error) {
    failure = bound.name + ": " + error.what();
  } catch (...) {
    failure = bound.name + ": unknown exception";
  }
  if (failure.empty()) co_return CommandOutcome{};
  co_return CommandOutcome{CommandOutcome::Kind::script_error, std::move(failure)};
}

bool NativeInstance::is_push(Client& client, std::string_view message) {
  return hooks_->is_push != nullptr && hooks_->is_push(client, message);
}

CommandOutcome NativeInstance::on_push(Client& client, std::string_view message) {
  try {
    hooks_->on_push(client, message);
    return {};
  } catch (const std::exception& error) {
    return {CommandOutcome::Kind::script_error, std::string("on_push: ") + error.what()};
  } catch (...) {
    return {CommandOutcome::Kind::script_error, "on_push: unknown exception"};
  }
}

}  // namespace swarm::protocol
