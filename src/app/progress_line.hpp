// ProgressLine: when standard output is a terminal, one line at the bottom,
// rewritten in place four times a second between the status blocks: the
// ramp toward the target (format_progress). Counts are refreshed twice a
// second from a snapshot (a copy posted through each worker, as `stat`
// does); nothing of it exists when output goes to a pipe or a file.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <deque>
#include <utility>

#include "app/controller.hpp"
#include "app/progress_text.hpp"
#include "app/terminal_line.hpp"

namespace swarm::app {

class ProgressLine final : public TerminalLine {
 public:
  /// Whether `out` takes such a line: a terminal, and TERM is not "dumb".
  static bool wanted(std::FILE* out);

  ProgressLine(asio::io_context& io, Controller& controller, std::FILE* out);

  /// Starts drawing.
  void start();

  // TerminalLine
  void clear() override;
  void redraw() override;
  void end() override;

 private:
  void schedule();
  void sample();

  Controller& controller_;    // the counts and the run's settings
  std::FILE* out_;            // the terminal
  asio::steady_timer timer_;  // next redraw
  ProgressState state_;       // what the line shows
  std::deque<std::pair<std::chrono::steady_clock::time_point, std::uint64_t>>
      connects_;        // (when, connects so far): the last seconds, for the rate
  unsigned ticks_ = 0;  // redraws so far
  bool shown_ = false;  // the line is on the screen now
  bool ended_ = false;  // end() was called
};

}  // namespace swarm::app
