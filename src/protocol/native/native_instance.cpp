#include "protocol/native/native_instance.hpp"

#include <exception>
#include <utility>

namespace swarm::protocol {

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

}  // namespace swarm::protocol
