// The protocols swarm ships, compiled in: a plan names one in `protocol:`
// and needs no module file. Each lives in builtin/<name>/ and is listed
// here; a NAME.lua or NAME.so of the same name in --protocol-dir wins (see
// module_loader).
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "protocol/module.hpp"

namespace swarm::protocol {

/// One built-in protocol.
struct BuiltinProtocol {
  const char* name;                   // as plans name it in `protocol:`
  const char* summary;                // one line, for listings
  std::unique_ptr<Module> (*make)();  // builds its module (a NativeModule)
};

/// Every built-in protocol, sorted by name. None yet.
std::span<const BuiltinProtocol> builtin_protocols() noexcept;

/// The protocol called `name` in `protocols`, or null.
const BuiltinProtocol* find_protocol(std::span<const BuiltinProtocol> protocols,
                                     std::string_view name) noexcept;

}  // namespace swarm::protocol
