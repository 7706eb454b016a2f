// Durations as people write them in scripts and on the command line.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace swarm::plan {

/// Parses a non-negative number with an optional unit: `250ms`, `1.5s`, `2m`,
/// `1h`, `100us`, `10ns`, or a sum of those (`1m30s`, as format_duration
/// writes); a bare number (`3`, `0.25`) is seconds, as in the original
/// scripts, and must stand alone. Fractions are exact (decimal, not binary floating point)
/// down to the nanosecond. Returns nullopt for empty text, a sign, spaces,
/// an unknown unit or a value that does not fit in nanoseconds.
std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text);

/// Formats a duration for messages, shortest exact form: `250ms`, `2s`,
/// `1.5s`, `1m30s`, `1h`, `0s`.
std::string format_duration(std::chrono::nanoseconds duration);

}  // namespace swarm::plan
