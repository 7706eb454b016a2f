// NativeLibrary: a module's shared object NAME.so, opened with dlopen, and
// the ModuleDefinition its `swarm_module()` returns, checked for this
// swarm's interface version. Only loading lives here; making a module of the
// definition is NativeModule's job, which built-in protocols share.
#pragma once

#include <string>

#include "swarm/module.hpp"

namespace swarm::protocol {

class NativeLibrary {
 public:
  /// Opens `path`. Throws std::runtime_error naming the file and the problem
  /// (dlopen's message, a missing swarm_module, another ABI version).
  explicit NativeLibrary(const std::string& path);
  ~NativeLibrary();
  NativeLibrary(const NativeLibrary&) = delete;
  NativeLibrary& operator=(const NativeLibrary&) = delete;

  /// The module's commands; valid while this object lives.
  const ModuleDefinition& definition() const noexcept { return *definition_; }

 private:
  void* handle_ = nullptr;                        // dlopen's handle
  const ModuleDefinition* definition_ = nullptr;  // from swarm_module()
};

}  // namespace swarm::protocol
