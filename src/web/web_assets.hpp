// The dashboard's files (HTML, CSS, JavaScript, Chart.js), compiled into the
// binary at build time, so the page needs nothing beside swarm, and an HTML
// report can inline them and open offline.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace swarm::web {

/// One file as built in.
struct WebAsset {
  std::string_view name;          // base name: "dashboard.js"
  std::string_view content_type;  // from the extension
  std::string_view bytes;         // the file's content
};

/// The file called `name`, if built in.
std::optional<WebAsset> find_asset(std::string_view name);

/// The file called `name`; throws std::logic_error when it is not built in
/// (a build mistake, not a user's).
WebAsset asset(std::string_view name);

namespace detail {
/// What cmake/embed_files.cmake generates.
struct EmbeddedFile {
  const char* name;   // base name
  const char* bytes;  // content (followed by a NUL byte not counted in size)
  std::size_t size;   // bytes
};
extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;
}  // namespace detail

}  // namespace swarm::web
