// ConnectPacer: spaces a worker's new connections to its share of
// --connect-rate and caps the connects in flight, so a listen backlog is not
// overrun and a dead server is not hammered.
//
// Pacing hands out time slots rather than keeping a queue: a connection
// sleeps on its own timer node until its slot, so waiting costs nothing
// extra and abort() needs no queue surgery.
#pragma once

#include <cstddef>

#include "engine/timer_heap.hpp"

namespace swarm::engine {

class ConnectPacer {
 public:
  /// `rate` connects per second (0 = unpaced), at most `max_in_flight` at once.
  ConnectPacer(double rate, std::size_t max_in_flight);

  /// When a connection asking at `now` may connect (at or after `now`).
  Clock::time_point reserve(Clock::time_point now) noexcept;
  /// Gives back `slot`, reserved by a connection that will not connect after
  /// all (decr, stop): the next one asking takes its place, so that cancelled
  /// connections never push later ones back (the slots still handed out for
  /// a window stay within the rate).
  void give_back(Clock::time_point slot, Clock::time_point now) noexcept;
  /// Takes an in-flight place if one is free.
  bool try_begin() noexcept;
  /// Gives back the in-flight place taken by try_begin().
  void end() noexcept { --in_flight_; }
  /// How long to wait before asking again when no place is free.
  static constexpr std::chrono::milliseconds kRetry{5};

 private:
  Clock::duration spacing_;      // time between two slots; zero = unpaced
  Clock::time_point next_slot_;  // earliest slot not yet handed out
  std::size_t max_in_flight_;    // cap on connects under way
  std::size_t in_flight_ = 0;    // connects under way
};

}  // namespace swarm::engine
