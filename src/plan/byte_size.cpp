#include "plan/byte_size.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <utility>

namespace swarm::plan {
namespace {

constexpr std::uint64_t kMax = std::uint64_t{1} << 62;
constexpr std::uint64_t kKi = 1024;

constexpr std::array<std::pair<std::string_view, std::uint64_t>, 14> units{{
    {"", 1},
    {"B", 1},
    {"K", kKi},
    {"KiB", kKi},
    {"M", kKi* kKi},
    {"MiB", kKi* kKi},
    {"G", kKi* kKi* kKi},
    {"GiB", kKi* kKi* kKi},
    {"T", kKi* kKi* kKi* kKi},
    {"TiB", kKi* kKi* kKi* kKi},
    {"KB", 1'000},
    {"MB", 1'000'000},
    {"GB", 1'000'000'000},
    {"TB", 1'000'000'000'000},
}};

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string_view unit = text.substr(static_cast<std::size_t>(end - text.data()));
  for (const auto& [name, scale] : units) {
    if (name != unit) continue;
    if (value > kMax / scale) return std::nullopt;
    return value * scale;
  }
  return std::nullopt;
}

std::string format_byte_size(std::uint64_t bytes) {
  constexpr std::array<std::string_view, 4> names{"TiB", "GiB", "MiB", "KiB"};
  std::uint64_t scale = kKi * kKi * kKi * kKi;
  for (const auto name : names) {
    if (bytes >= scale && bytes % scale == 0) return fmt::format("{}{}", bytes / scale, name);
    scale /= kKi;
  }
  return fmt::format("{} bytes", bytes);
}

}  // namespace swarm::plan
