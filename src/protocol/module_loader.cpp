#include "protocol/module_loader.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "protocol/lua_module.hpp"
#include "protocol/native_module.hpp"

namespace swarm::protocol {

std::unique_ptr<Module> load_module(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  if (name.empty() || name.find('/') != std::string::npos || name.starts_with('.')) {
    throw std::runtime_error(fmt::format("bad protocol module name '{}'", name));
  }
  fs::path lua = fs::path(dir) / (name + ".lua");
  fs::path native = fs::path(dir) / (name + ".so");
  std::error_code error;
  if (fs::is_regular_file(lua, error)) return std::make_unique<LuaModule>(name, lua.string());
  if (fs::is_regular_file(native, error)) {
    return std::make_unique<NativeModule>(name, fs::absolute(native).string());
  }
  throw std::runtime_error(fmt::format("protocol module '{}' not found: neither {} nor {} exists",
                                       name, lua.string(), native.string()));
}

}  // namespace swarm::protocol
