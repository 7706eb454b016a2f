// The progress line's text: how far the ramp toward the target has come,
// what is in the way, how fast it goes and when it will be done. A pure
// function, so its wording is tested without a terminal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace swarm::app {

/// What the line shows.
struct ProgressState {
  std::int64_t target = 0;           // connections asked for
  std::int64_t open = 0;             // established now
  std::int64_t connecting = 0;       // waiting for a slot or a handshake
  std::uint64_t failed = 0;          // connects that failed since the start
  double connect_rate = 0;           // connections established per second, lately
  double elapsed_s = 0;              // since the start
  std::optional<double> duration_s;  // --duration, if given
};

/// One line, at most `width` columns (no newline): a bar toward the target,
/// open/target, connecting, failed, the connect rate, an ETA while the ramp
/// goes on, and the time left of a --duration run.
std::string format_progress(const ProgressState& state, std::size_t width);

}  // namespace swarm::app
