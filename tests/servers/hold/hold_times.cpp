#include "hold_times.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <numeric>

namespace hold {

std::string summarize_holds(std::vector<std::int64_t> holds_ns) {
  if (holds_ns.empty()) return "hold_us n 0";
  std::sort(holds_ns.begin(), holds_ns.end());
  const double n = static_cast<double>(holds_ns.size());
  auto us = [](std::int64_t ns) { return static_cast<double>(ns) / 1000.0; };
  const double mean =
      std::accumulate(holds_ns.begin(), holds_ns.end(), 0.0,
                      [](double sum, std::int64_t v) { return sum + static_cast<double>(v); }) /
      n / 1000.0;
  std::string out = fmt::format("hold_us n {} mean {:.1f}", holds_ns.size(), mean);
  for (const double p : {50.0, 90.0, 99.0, 99.9}) {
    const auto rank = std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(p / 100.0 * n)));
    fmt::format_to(std::back_inserter(out), " p{} {:.1f}", p, us(holds_ns[rank - 1]));
  }
  fmt::format_to(std::back_inserter(out), " max {:.1f}", us(holds_ns.back()));
  return out;
}

}  // namespace hold
