#include "engine/push_bridge.hpp"

#include "engine/connection.hpp"

namespace swarm::engine {

void PushBridge::on_push(std::string_view message) {
  protocol::CommandOutcome outcome = handler_->on_push(client_, message);
  if (outcome.kind != protocol::CommandOutcome::Kind::script_error) return;
  auto& rec = connection_.recorder();
  ++rec.errors[static_cast<std::size_t>(stats::Reason::script_error)];
  ++rec.script_errors[outcome.message];
}

}  // namespace swarm::engine
