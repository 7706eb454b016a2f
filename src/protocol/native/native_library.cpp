#include "protocol/native/native_library.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <stdexcept>

namespace swarm::protocol {

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
    ::dlclose(handle_);
    throw std::runtime_error(
        fmt::format("{} was built for another swarm module interface "
                    "(rebuild it against this swarm's headers)",
                    path));
  }
}

NativeLibrary::~NativeLibrary() {
  ::dlclose(handle_);
}

}  // namespace swarm::protocol
