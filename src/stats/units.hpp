// Human units for reports: short, fixed-width-friendly renderings of counts,
// rates, byte amounts and durations ("12.3k", "45.1KiB", "12.3ms", "1m05s").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace swarm::stats {

/// A count: exact below 1000, then 3 significant digits with k, M, G, T
/// A count as an exact whole number ("15000"): counts of connections,
/// requests and errors are what users compare with the server's own.
std::string format_exact(std::int64_t value);
inline std::string format_exact(std::uint64_t value) {
  return format_exact(static_cast<std::int64_t>(value));
}

/// ("950", "1.2k", "12.3k", "123k", "1.2M").
std::string format_count(std::uint64_t count);
/// A per-second rate: one decimal below 100 ("0.5", "61.0"), whole below
/// 1000, then as format_count().
std::string format_rate(double per_second);
/// Bytes, binary units ("512B", "45.1KiB", "1.2MiB").
std::string format_bytes(double bytes);
/// A duration in microseconds: "850us", "1.23ms", "12.3ms", "123ms", "1.23s".
std::string format_us(std::uint64_t microseconds);
/// Wall time of a run: "5.0s", "2m05s", "1h02m05s".
std::string format_elapsed(std::chrono::duration<double> elapsed);

}  // namespace swarm::stats
