#include "control/shares.hpp"

#include <cmath>

namespace swarm::control {

namespace {

/// floor(total * j / count) without overflow: the quotient's part times j,
/// plus the remainder's ((total % count) * j < count^2, small for any fleet).
std::uint64_t floor_of(std::uint64_t total, std::uint64_t j, std::uint64_t count) {
  return (total / count) * j + (total % count) * j / count;
}

}  // namespace

std::uint64_t share_of(std::uint64_t total, std::size_t index, std::size_t count) {
  if (count == 0) return 0;
  return floor_of(total, index + 1, count) - floor_of(total, index, count);
}

std::vector<std::uint64_t> split(std::uint64_t total, std::size_t count) {
  std::vector<std::uint64_t> parts(count);
  for (std::size_t i = 0; i < count; ++i) parts[i] = share_of(total, i, count);
  return parts;
}

std::vector<double> split_rate(double per_second, std::size_t count) {
  std::vector<double> parts(count, 0.0);
  if (count == 0 || per_second <= 0) return parts;
  const bool whole = per_second == std::floor(per_second) && per_second < 1e15;
  if (whole && per_second >= static_cast<double>(count)) {
    const auto total = static_cast<std::uint64_t>(per_second);
    for (std::size_t i = 0; i < count; ++i)
      parts[i] = static_cast<double>(share_of(total, i, count));
    return parts;
  }
  for (double& part : parts) part = per_second / static_cast<double>(count);
  return parts;
}

}  // namespace swarm::control
