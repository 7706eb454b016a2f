// How a fleet's totals are split over its agents: agent i of K takes
// floor(N(i+1)/K) - floor(Ni/K) of N (k6's execution segments), so the
// parts always sum to N exactly and differ by at most one, whatever N and
// K. Pure functions, tested alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace swarm::control {

/// Agent `index`'s part of `total` over `count` agents (0 when count is 0).
std::uint64_t share_of(std::uint64_t total, std::size_t index, std::size_t count);

/// Every agent's part of `total`, in agent order; sums to `total`.
std::vector<std::uint64_t> split(std::uint64_t total, std::size_t count);

/// Every agent's part of a rate of `per_second` calls. A whole rate of at
/// least one call per agent is split as connections are (whole calls per
/// second each); a smaller or fractional one evenly (per_second / count
/// each), since a part of 0 would switch an agent's rate mode off. Parts sum
/// to `per_second` (exactly, or within a double's rounding when even).
std::vector<double> split_rate(double per_second, std::size_t count);

}  // namespace swarm::control
