// The protocols swarm ships, compiled in: a plan names one in `protocol:`
// and needs no module file. Each lives in builtin/<name>/ and is listed in
// registry.cpp; a NAME.lua or NAME.so of the same name in --protocol-dir
// wins (see module_loader).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "protocol/builtin/protocol.hpp"
#include "protocol/module.hpp"

namespace swarm::protocol {

/// One built-in protocol.
struct BuiltinProtocol {
  const char* name;                        // as plans name it in `protocol:`
  const builtin::Protocol& (*protocol)();  // its description

  /// Its module (a BuiltinModule).
  std::unique_ptr<Module> make() const;
};

/// Every built-in protocol, sorted by name.
std::span<const BuiltinProtocol> builtin_protocols() noexcept;

/// The protocol called `name` in `protocols`, or null.
const BuiltinProtocol* find_protocol(std::span<const BuiltinProtocol> protocols,
                                     std::string_view name) noexcept;

/// What `swarm --protocols` prints: each protocol with its on_connect
/// settings, its commands and their args, from the tables plans are
/// checked against.
std::string describe_protocols(std::span<const BuiltinProtocol> protocols);

}  // namespace swarm::protocol
