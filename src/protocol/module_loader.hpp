// Finding a protocol module by name in --protocol-dir.
#pragma once

#include <memory>
#include <string>

#include "protocol/module.hpp"

namespace swarm::protocol {

/// Loads exactly `dir/name.lua` (never through package.path, so a same-named
/// module elsewhere cannot win). Throws std::runtime_error with a message
/// that says what was looked for and what is wrong.
std::unique_ptr<Module> load_module(const std::string& dir, const std::string& name);

}  // namespace swarm::protocol
