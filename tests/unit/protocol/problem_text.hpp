// Plan checks answer with a Problem (a message and, when known, a place);
// tests mostly compare the message.
#pragma once

#include <optional>
#include <string>

#include "plan/plan_error.hpp"

namespace swarm::protocol {

/// The problem's message, or nothing when there is none.
inline std::optional<std::string> message_of(const std::optional<plan::Problem>& problem) {
  if (!problem) return std::nullopt;
  return problem->message;
}

}  // namespace swarm::protocol
