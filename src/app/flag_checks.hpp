// Checks for command-line values, each with a short message that says what
// is expected and what was given (CLI11's own number checks print their
// range's bounds, a 309-digit number for "any double").
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace swarm::app {

/// The longest duration a flag takes: a year. Longer is a typo, and `now +
/// duration` must stay far from overflowing.
inline constexpr std::chrono::nanoseconds kMaxFlagDuration = std::chrono::hours(24 * 365);

/// Digits only, lo <= value <= hi.
CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi);

/// A finite decimal number, 0 <= value <= hi (`1e3` and `0.5` too).
CLI::Validator non_negative_number(double hi);

/// A duration (`250ms`, `2s`, `1.5`), at most kMaxFlagDuration.
CLI::Validator duration();

/// A byte size (`1048576`, `64MiB`, `1GiB`), at most `hi` bytes.
CLI::Validator byte_size(std::uint64_t hi);

}  // namespace swarm::app
