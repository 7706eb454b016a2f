#include "app/progress_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "stats/units.hpp"

namespace swarm::app {
namespace {

constexpr std::size_t kBarWidth = 24;  // cells of the bar, when the line has room

std::string bar(double fraction, std::size_t cells) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto full = static_cast<std::size_t>(std::floor(fraction * static_cast<double>(cells)));
  return "[" + std::string(full, '#') + std::string(cells - full, '.') + "]";
}

std::string clock_text(double seconds) {
  return stats::format_elapsed(std::chrono::duration<double>(std::max(0.0, seconds)));
}

}  // namespace

std::string format_progress(const ProgressState& s, std::size_t width) {
  const double fraction =
      s.target > 0 ? static_cast<double>(s.open) / static_cast<double>(s.target) : 1.0;
  std::string facts = fmt::format(" {}/{} open {:3.0f}%  connecting {}  failed {}  {} conn/s",
                                  s.open, s.target, std::min(fraction, 1.0) * 100, s.connecting,
                                  s.failed, stats::format_rate(s.connect_rate));
  const std::int64_t missing = s.target - s.open;
  if (missing > 0 && s.connect_rate > 0) {
    facts += "  ETA " + clock_text(static_cast<double>(missing) / s.connect_rate);
  } else if (missing > 0) {
    facts += "  ETA -";
  }
  if (s.duration_s) facts += "  left " + clock_text(*s.duration_s - s.elapsed_s);
  std::string line = bar(fraction, kBarWidth) + facts;
  if (line.size() > width) line = bar(fraction, 10) + facts;  // a narrow terminal: a short bar
  if (line.size() > width) line.resize(width);
  return line;
}

}  // namespace swarm::app
