#include "plan/byte_size.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <string>
#include <utility>

namespace swarm::plan {
namespace {

constexpr std::uint64_t kLargest = std::uint64_t{1} << 63;

/// The multiplier of `unit` (lower case), or 0 when it is not one.
std::uint64_t unit_scale(const std::string& unit) {
  static const std::array<std::pair<const char*, std::uint64_t>, 10> kUnits{{
      {"", 1},
      {"b", 1},
      {"k", 1ULL << 10},
      {"kb", 1ULL << 10},
      {"kib", 1ULL << 10},
      {"m", 1ULL << 20},
      {"mb", 1ULL << 20},
      {"mib", 1ULL << 20},
      {"g", 1ULL << 30},
      {"gb", 1ULL << 30},
  }};
  if (unit == "gib") return 1ULL << 30;
  for (const auto& [name, scale] : kUnits) {
    if (unit == name) return scale;
  }
  return 0;
}

}  // namespace

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
  std::uint64_t number = 0;
  const char* end = text.data() + text.size();
  auto [rest, error] = std::from_chars(text.data(), end, number);
  if (error != std::errc() || rest == text.data()) return std::nullopt;
  std::string unit(rest, end);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::uint64_t scale = unit_scale(unit);
  if (scale == 0 || number > kLargest / scale) return std::nullopt;
  return number * scale;
}

std::string format_byte_size(std::uint64_t bytes) {
  if (bytes != 0 && bytes % (1ULL << 30) == 0) return std::to_string(bytes >> 30) + "GiB";
  if (bytes != 0 && bytes % (1ULL << 20) == 0) return std::to_string(bytes >> 20) + "MiB";
  if (bytes != 0 && bytes % (1ULL << 10) == 0) return std::to_string(bytes >> 10) + "KiB";
  return std::to_string(bytes) + "B";
}

}  // namespace swarm::plan
