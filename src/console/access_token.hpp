// Who may steer the run: the secret that opens the console (and any other
// control endpoint, which reuses this unit), checked in constant time, and
// the pacing of failed attempts so that guessing it is slow.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

namespace swarm::console {

/// The shared secret. At least kMinLength printable characters, no spaces.
class AccessToken {
 public:
  static constexpr std::size_t kMinLength = 16;

  /// The token in `file` (surrounding whitespace dropped) when `file` is not
  /// empty, else `env_value` (SWARM_CONSOLE_TOKEN) when set, else nullopt.
  /// Throws std::runtime_error saying what is wrong with a token given.
  static std::optional<AccessToken> load(const std::string& file, const char* env_value);

  /// Throws std::runtime_error (naming `origin`) for a token too short or
  /// with spaces or control characters.
  AccessToken(std::string secret, std::string_view origin);

  /// Whether `offered` is the token. The time taken depends on the lengths
  /// only, never on how many leading bytes match.
  bool matches(std::string_view offered) const noexcept;
  /// The token itself, for a client that must present it (a fleet's
  /// controller to its agents). Never log it.
  const std::string& secret() const noexcept { return secret_; }

 private:
  std::string secret_;  // the token itself
};

/// Failed attempts across all sessions: each one is answered only after a
/// delay that doubles with the failures of the last minute (250 ms, 500 ms,
/// ... up to 8 s), so that a guesser gets a few tries a minute however many
/// sessions it opens.
class AuthThrottle {
 public:
  /// Counts a failure at `now`; returns how long to wait before answering.
  std::chrono::milliseconds fail(std::chrono::steady_clock::time_point now);
  /// Failures since the start.
  std::uint64_t failures() const noexcept { return total_; }
  /// Failures in the minute before the last fail().
  std::size_t recent() const noexcept { return recent_.size(); }

 private:
  std::deque<std::chrono::steady_clock::time_point> recent_;  // failures of the last minute
  std::uint64_t total_ = 0;                                   // failures ever
};

}  // namespace swarm::console
