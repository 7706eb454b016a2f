#include "stats/units.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace swarm::stats {

namespace {

/// `value` divided by `base` until it shows at most 3 digits before the
/// point, with the matching suffix from `units` (units[0] for the plain value).
std::string scaled(double value, double base, const std::array<const char*, 5>& units) {
  std::size_t unit = 0;
  // Compare after rounding, so 999.96 becomes "1.0k" and not "1000".
  while (unit + 1 < units.size() && value >= base - 0.05) {
    value /= base;
    ++unit;
  }
  if (unit == 0) return fmt::format("{:.0f}{}", value, units[0]);
  if (value < 99.95) return fmt::format("{:.1f}{}", value, units[unit]);
  return fmt::format("{:.0f}{}", value, units[unit]);
}

constexpr std::array<const char*, 5> kDecimal = {"", "k", "M", "G", "T"};
constexpr std::array<const char*, 5> kBinary = {"B", "KiB", "MiB", "GiB", "TiB"};

/// `value` of `unit` with 3 significant digits: "1.23", "12.3", "123".
std::string three_digits(double value, const char* unit) {
  if (value < 9.995) return fmt::format("{:.2f}{}", value, unit);
  if (value < 99.95) return fmt::format("{:.1f}{}", value, unit);
  return fmt::format("{:.0f}{}", value, unit);
}

}  // namespace

std::string format_exact(std::int64_t value) {
  return fmt::format("{}", value);
}

std::string format_count(std::uint64_t count) {
  if (count < 1000) return fmt::format("{}", count);
  return scaled(static_cast<double>(count), 1000, kDecimal);
}

std::string format_rate(double per_second) {
  if (!(per_second > 0)) return "0";
  if (per_second < 99.95) return fmt::format("{:.1f}", per_second);
  return scaled(per_second, 1000, kDecimal);
}

std::string format_bytes(double bytes) {
  if (!(bytes > 0)) return "0B";
  return scaled(bytes, 1024, kBinary);
}

std::string format_us(std::uint64_t microseconds) {
  if (microseconds < 1000) return fmt::format("{}us", microseconds);
  const double us = static_cast<double>(microseconds);
  if (us < 999'500) return three_digits(us / 1e3, "ms");
  return three_digits(us / 1e6, "s");
}

std::string format_elapsed(std::chrono::duration<double> elapsed) {
  const double seconds = std::max(0.0, elapsed.count());
  if (seconds < 59.95) return fmt::format("{:.1f}s", seconds);
  const auto whole = static_cast<std::uint64_t>(std::llround(seconds));
  if (whole < 3600) return fmt::format("{}m{:02}s", whole / 60, whole % 60);
  return fmt::format("{}h{:02}m{:02}s", whole / 3600, whole / 60 % 60, whole % 60);
}

}  // namespace swarm::stats
