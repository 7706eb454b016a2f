#include "protocol/native/native_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace swarm::protocol {
namespace {

/// Why a module built for another interface is refused, naming both versions.
std::string abi_mismatch(const std::string& path, const ModuleDefinition* definition) {
  std::string built = "nothing (swarm_module() returned null)";
  if (definition != nullptr) {
    built = fmt::format("module ABI version {}", definition->abi_version);
    // Version 1 had no swarm_version; from 2 on it is always the second field.
    if (definition->abi_version >= 2 && definition->swarm_version != nullptr) {
      built += fmt::format(" (swarm {})", definition->swarm_version);
    }
  }
  return fmt::format(
      "{} was built for {}, but this swarm {} loads module ABI version {}: rebuild it against "
      "this swarm's headers",
      path, built, kVersion, kModuleAbiVersion);
}

}  // namespace

NativeLibrary::NativeLibrary(const std::string& path) {
  handle_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle_ == nullptr) throw std::runtime_error(fmt::format("cannot load {}", ::dlerror()));
  auto* entry = reinterpret_cast<const ModuleDefinition* (*)()>(::dlsym(handle_, "swarm_module"));
  if (entry == nullptr) {
    ::dlclose(handle_);
    throw std::runtime_error(
        fmt::format("{} has no swarm_module() (see SWARM_MODULE in "
                    "include/swarm/module.hpp)",
                    path));
  }
  definition_ = entry();
  if (definition_ == nullptr || definition_->abi_version != kModuleAbiVersion) {
    std::string message = abi_mismatch(path, definition_);  // before dlclose: it reads the module
    ::dlclose(handle_);
    throw std::runtime_error(message);
  }
}

NativeLibrary::~NativeLibrary() {
  ::dlclose(handle_);
}

}  // namespace swarm::protocol
