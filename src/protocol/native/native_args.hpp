// A plan action's args as a native command sees them: swarm::Args, text.
#pragma once

#include "plan/value.hpp"
#include "swarm/module.hpp"

namespace swarm::protocol {

/// An action's args as the text a native command sees: scalars as written,
/// lists and maps in YAML flow form ("[1, 2]", "{a: 1}").
Args to_native_args(const plan::Value& args);

}  // namespace swarm::protocol
