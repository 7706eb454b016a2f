#include "protocol/module_loader.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "protocol/lua/lua_module.hpp"
#include "protocol/native/native_module.hpp"

namespace swarm::protocol {
namespace {

/// What a failed search says: the files looked for, and the built-ins.
std::string not_found(const std::string& dir, const std::string& name,
                      std::span<const BuiltinProtocol> builtins) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  for (const BuiltinProtocol& protocol : builtins) names.emplace_back(protocol.name);
  std::string built_in =
      names.empty() ? std::string() : fmt::format(" (built in: {})", fmt::join(names, ", "));
  if (dir.empty()) {
    return fmt::format(
        "protocol module '{}' not found: no --protocol-dir, and no built-in protocol "
        "of that name{}",
        name, built_in);
  }
  return fmt::format("protocol module '{}' not found: neither {} nor {} exists{}", name,
                     (fs::path(dir) / (name + ".lua")).string(),
                     (fs::path(dir) / (name + ".so")).string(), built_in);
}

}  // namespace

std::unique_ptr<Module> load_module(const std::string& dir, const std::string& name,
                                    std::span<const BuiltinProtocol> builtins,
                                    const LuaLimits& lua_limits, std::string* notice) {
  namespace fs = std::filesystem;
  if (name.empty() || name.find('/') != std::string::npos || name.starts_with('.')) {
    throw std::runtime_error(fmt::format("bad protocol module name '{}'", name));
  }
  if (!dir.empty()) {
    fs::path lua = fs::path(dir) / (name + ".lua");
    fs::path native = fs::path(dir) / (name + ".so");
    std::error_code error;
    const bool is_lua = fs::is_regular_file(lua, error);
    const bool is_native = !is_lua && fs::is_regular_file(native, error);
    if ((is_lua || is_native) && notice != nullptr && find_protocol(builtins, name) != nullptr) {
      *notice = fmt::format("protocol {}: using {}, not the built-in {} (a file of that name wins)",
                            name, (is_lua ? lua : native).string(), name);
    }
    if (is_lua) return std::make_unique<LuaModule>(name, lua.string(), lua_limits);
    if (is_native) return load_native_module(name, fs::absolute(native).string());
  }
  if (const BuiltinProtocol* builtin = find_protocol(builtins, name)) return builtin->make();
  throw std::runtime_error(not_found(dir, name, builtins));
}

}  // namespace swarm::protocol
