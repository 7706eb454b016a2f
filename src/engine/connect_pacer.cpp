#include "engine/connect_pacer.hpp"

#include <algorithm>

namespace swarm::engine {

ConnectPacer::ConnectPacer(double rate, std::size_t max_in_flight)
    : spacing_(rate > 0 ? std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(1.0 / rate))
                        : Clock::duration::zero()),
      max_in_flight_(std::max<std::size_t>(1, max_in_flight)) {}

Clock::time_point ConnectPacer::reserve(Clock::time_point now) noexcept {
  if (spacing_ == Clock::duration::zero()) return now;
  // Unused slots do not pile up: after a quiet spell the rate starts afresh.
  Clock::time_point slot = std::max(now, next_slot_);
  next_slot_ = slot + spacing_;
  return slot;
}

void ConnectPacer::give_back(Clock::time_point slot, Clock::time_point now) noexcept {
  if (spacing_ == Clock::duration::zero() || slot <= now) return;  // used, or nothing to give
  next_slot_ = std::max(now, next_slot_ - spacing_);
}

bool ConnectPacer::try_begin() noexcept {
  if (in_flight_ >= max_in_flight_) return false;
  ++in_flight_;
  return true;
}

}  // namespace swarm::engine
