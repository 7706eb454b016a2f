// TerminalLine: something drawn on the terminal's last line between the
// status blocks (the progress line). Whoever prints to the terminal erases
// it first and draws it again after, so the two never mix.
#pragma once

namespace swarm::app {

class TerminalLine {
 public:
  virtual ~TerminalLine() = default;
  /// Erases the line (before other output).
  virtual void clear() = 0;
  /// Draws it again (after other output).
  virtual void redraw() = 0;
  /// Erases it for good (at the stop).
  virtual void end() = 0;
};

}  // namespace swarm::app
