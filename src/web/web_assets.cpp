#include "web/web_assets.hpp"

#include <stdexcept>
#include <string>

namespace swarm::web {
namespace {

std::string_view type_of(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

}  // namespace

std::optional<WebAsset> find_asset(std::string_view name) {
  for (std::size_t i = 0; i < detail::kEmbeddedFileCount; ++i) {
    const auto& file = detail::kEmbeddedFiles[i];
    if (name == file.name) return WebAsset{file.name, type_of(name), {file.bytes, file.size}};
  }
  return std::nullopt;
}

WebAsset asset(std::string_view name) {
  if (auto found = find_asset(name)) return *found;
  throw std::logic_error("no built-in file " + std::string(name));
}

}  // namespace swarm::web
