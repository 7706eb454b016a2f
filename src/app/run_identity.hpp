// Who a run is, for a fleet's controller: a random run id (a restarted
// agent is a new run) and the digest of what it runs (plan and module), so
// that a controller can tell agents that run something else.
#pragma once

#include <string>
#include <string_view>

#include "stats/json_report.hpp"
#include "stats/snapshot_json.hpp"

namespace swarm::app {

/// "sha256:" and the hex SHA-256 (OpenSSL's) of the plan's text, a zero
/// byte, and the module's bytes: equal exactly when both are byte for byte.
std::string plan_digest(std::string_view plan_text, std::string_view module_bytes);

/// 16 hex digits from the system's random source.
std::string random_run_id();

/// The identity an agent serves (GET /api/snapshot), from its configuration.
stats::AgentIdentity run_identity(const stats::RunConfig& config);

}  // namespace swarm::app
