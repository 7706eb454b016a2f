// Send stamps: what swarm writes at the start of a message it publishes with
// `stamp: true`, so that whoever receives it (this swarm or another, on this
// machine or one with a synchronised clock) can count the publish-to-receive
// latency. Wall-clock time, because sender and receiver may be different
// processes: "swarm-stamp:" then 19 digits of nanoseconds since the Unix
// epoch, then ';'.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace swarm::core {

inline constexpr std::string_view kStampPrefix = "swarm-stamp:";
inline constexpr std::size_t kStampDigits = 19;
/// Bytes a stamp takes.
inline constexpr std::size_t kStampSize = kStampPrefix.size() + kStampDigits + 1;

/// Now, in nanoseconds since the Unix epoch.
inline std::int64_t unix_now_ns() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Microseconds from `unix_ns` to now; 0 when that is in the future (clocks
/// of two machines that disagree).
inline std::uint64_t microseconds_since(std::int64_t unix_ns) noexcept {
  const std::int64_t elapsed = unix_now_ns() - unix_ns;
  return elapsed > 0 ? static_cast<std::uint64_t>(elapsed / 1000) : 0;
}

/// Writes the stamp of `unix_ns` into `out` (kStampSize bytes).
inline void write_stamp(char* out, std::int64_t unix_ns) noexcept {
  for (std::size_t i = 0; i < kStampPrefix.size(); ++i) out[i] = kStampPrefix[i];
  auto value = static_cast<std::uint64_t>(unix_ns < 0 ? 0 : unix_ns);
  for (std::size_t i = kStampDigits; i-- > 0;) {
    out[kStampPrefix.size() + i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out[kStampSize - 1] = ';';
}

/// The send time a message's payload starts with, or 0 when it has no stamp.
inline std::int64_t read_stamp(std::string_view payload) noexcept {
  if (payload.size() < kStampSize || !payload.starts_with(kStampPrefix) ||
      payload[kStampSize - 1] != ';') {
    return 0;
  }
  std::uint64_t value = 0;  // 19 digits fit; past INT64_MAX is no stamp
  for (std::size_t i = 0; i < kStampDigits; ++i) {
    const char digit = payload[kStampPrefix.size() + i];
    if (digit < '0' || digit > '9') return 0;
    value = value * 10 + static_cast<std::uint64_t>(digit - '0');
  }
  return value > static_cast<std::uint64_t>(INT64_MAX) ? 0 : static_cast<std::int64_t>(value);
}

}  // namespace swarm::core
