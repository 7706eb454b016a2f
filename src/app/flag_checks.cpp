#include "app/flag_checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <utility>

#include "plan/byte_size.hpp"
#include "plan/duration.hpp"

namespace swarm::app {
namespace {

/// A validator named `name`: `problem(text)` says what is wrong, or nothing.
CLI::Validator check(std::string name, std::function<std::string(const std::string&)> problem) {
  return CLI::Validator([problem = std::move(problem)](std::string& text) { return problem(text); },
                        "", std::move(name));
}

}  // namespace

CLI::Validator whole_number(std::uint64_t lo, std::uint64_t hi) {
  return check("N", [lo, hi](const std::string& text) -> std::string {
    std::uint64_t value = 0;
    const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (digits && error == std::errc() && value >= lo && value <= hi) return {};
    return fmt::format("expected a whole number from {} to {}, got '{}'", lo, hi, text);
  });
}

CLI::Validator non_negative_number(double hi) {
  return check("X", [hi](const std::string& text) -> std::string {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    const bool whole = error == std::errc() && end == text.data() + text.size();
    if (whole && std::isfinite(value) && value >= 0 && value <= hi) return {};
    return fmt::format("expected a number from 0 to {}, got '{}'", hi, text);
  });
}

CLI::Validator duration() {
  return check("DURATION", [](const std::string& text) -> std::string {
    const auto value = plan::parse_duration(text);
    if (value && *value <= kMaxFlagDuration) return {};
    return fmt::format("expected a duration like 250ms, 2s, 1m or 1.5, at most {}, got '{}'",
                       plan::format_duration(kMaxFlagDuration), text);
  });
}

CLI::Validator byte_size(std::uint64_t hi) {
  return check("BYTES", [hi](const std::string& text) -> std::string {
    const auto value = plan::parse_byte_size(text);
    if (value && *value <= hi) return {};
    return fmt::format("expected a size like 65536, 64KiB, 512MiB or 1GiB, at most {}, got '{}'",
                       plan::format_byte_size(hi), text);
  });
}

}  // namespace swarm::app
