// A small, fast random generator, one per worker: draws for rounds and sleeps
// must not share state across threads (h2load's shared generator was a data
// race), and need no cryptographic strength.
#pragma once

#include <array>
#include <cstdint>
#include <limits>

namespace swarm::plan {

/// xoshiro256** (Blackman and Vigna), seeded through splitmix64 so that any
/// 64-bit seed, even 0, gives a well-mixed state. Not thread-safe by design:
/// each worker owns one. Also a UniformRandomBitGenerator, for <random> and
/// std::shuffle.
class Rng {
 public:
  using result_type = std::uint64_t;

  explicit Rng(std::uint64_t seed) noexcept {
    for (auto& word : state_) word = splitmix64(seed);
  }

  /// 64 uniformly random bits.
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// A uniform integer in [0, n), without modulo bias; n must be > 0.
  std::uint64_t below(std::uint64_t n) noexcept {
    // Values under `threshold` would make the low residues more likely;
    // rejecting them costs a retry with probability < n / 2^64.
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
      const std::uint64_t r = next();
      if (r >= threshold) return r % n;
    }
  }

  /// A uniform double in [0, 1), with all 53 bits of the mantissa random.
  double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // UniformRandomBitGenerator requirements.
  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }
  result_type operator()() noexcept { return next(); }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

  static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

  std::array<std::uint64_t, 4> state_{};  // xoshiro256** state, never all zero
};

}  // namespace swarm::plan
