#include "plan/duration.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

namespace swarm::plan {
namespace {

using std::chrono::nanoseconds;

// 128 bits make `fraction * unit` exact for every unit up to hours.
__extension__ using Wide = unsigned __int128;

constexpr std::uint64_t max_ns = std::numeric_limits<std::int64_t>::max();
// More fraction digits than this are far below one nanosecond for any unit.
constexpr int max_fraction_digits = 18;

constexpr std::array<std::pair<std::string_view, std::uint64_t>, 8> units{{
    {"ns", 1},
    {"us", 1'000},
    {"\u00b5s", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
    {"", 1'000'000'000},  // a bare number is seconds, as in the original
}};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The decimal number at the front of `text`, split in whole and fraction
// digits; `text` keeps what follows (the unit).
struct Number {
  std::string_view whole;     // digits before the point
  std::string_view fraction;  // digits after the point, may be empty
};

std::optional<Number> take_number(std::string_view& text) {
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  Number number{text.substr(0, i), {}};
  if (i < text.size() && text[i] == '.') {
    const std::size_t start = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    number.fraction = text.substr(start, i - start);
    if (number.fraction.empty()) return std::nullopt;  // `5.` is a typo, not 5
  }
  if (number.whole.empty() && number.fraction.empty()) return std::nullopt;
  text.remove_prefix(i);
  return number;
}

// The unit at the front of `text` (the letters up to the next number), in
// nanoseconds; `text` keeps what follows. nullopt for an unknown unit.
std::optional<std::uint64_t> take_unit(std::string_view& text) {
  std::size_t length = 0;
  while (length < text.size() && !is_digit(text[length]) && text[length] != '.') ++length;
  for (const auto& [name, ns] : units) {
    if (name == text.substr(0, length)) {
      text.remove_prefix(length);
      return ns;
    }
  }
  return std::nullopt;
}

// `number` units in nanoseconds; nullopt when it does not fit.
std::optional<std::uint64_t> to_ns(const Number& number, std::uint64_t unit) {
  std::uint64_t whole = 0;
  for (const char c : number.whole) {
    whole = whole * 10 + static_cast<std::uint64_t>(c - '0');
    if (whole > max_ns / unit) return std::nullopt;
  }
  Wide fraction = 0;
  Wide scale = 1;
  for (const char c : number.fraction.substr(0, max_fraction_digits)) {
    fraction = fraction * 10 + static_cast<unsigned>(c - '0');
    scale *= 10;
  }
  const Wide total = Wide{whole} * unit + fraction * unit / scale;
  if (total > max_ns) return std::nullopt;
  return static_cast<std::uint64_t>(total);
}

}  // namespace

std::optional<nanoseconds> parse_duration(std::string_view text) {
  std::uint64_t total = 0;
  bool first = true;
  do {  // one `number unit` part per turn: `1m30s` is two
    const auto number = take_number(text);
    if (!number) return std::nullopt;
    const std::size_t before_unit = text.size();
    const auto unit = take_unit(text);
    if (!unit) return std::nullopt;
    // A bare number (seconds) must stand alone: `1m30` is a typo.
    const bool bare = text.size() == before_unit;
    if (bare && !(first && text.empty())) return std::nullopt;
    const auto part = to_ns(*number, *unit);
    if (!part || *part > max_ns - total) return std::nullopt;
    total += *part;
    first = false;
  } while (!text.empty());
  return nanoseconds(static_cast<std::int64_t>(total));
}

namespace {

// `value / unit` in decimal with the shortest exact fraction: 1500, 1000 -> "1.5".
std::string decimal(std::uint64_t value, std::uint64_t unit) {
  std::string text = fmt::format("{}", value / unit);
  std::uint64_t rest = value % unit;
  if (rest == 0) return text;
  text += '.';
  for (std::uint64_t digit = unit / 10; digit > 0 && rest > 0; digit /= 10) {
    text += static_cast<char>('0' + rest / digit);
    rest %= digit;
  }
  return text;
}

std::string format_positive(std::uint64_t ns) {
  constexpr std::uint64_t second = 1'000'000'000;
  constexpr std::uint64_t minute = 60 * second;
  constexpr std::uint64_t hour = 60 * minute;
  if (ns < 1'000) return fmt::format("{}ns", ns);
  if (ns < 1'000'000) return decimal(ns, 1'000) + "us";
  if (ns < second) return decimal(ns, 1'000'000) + "ms";
  std::string text;
  if (ns >= hour) text += fmt::format("{}h", ns / hour);
  ns %= hour;
  if (ns >= minute) text += fmt::format("{}m", ns / minute);
  ns %= minute;
  if (ns > 0) text += decimal(ns, second) + "s";
  return text;
}

}  // namespace

std::string format_duration(nanoseconds duration) {
  const std::int64_t ns = duration.count();
  if (ns == 0) return "0s";
  // Negate in unsigned arithmetic so that the most negative value works too.
  if (ns < 0) return "-" + format_positive(0 - static_cast<std::uint64_t>(ns));
  return format_positive(static_cast<std::uint64_t>(ns));
}

}  // namespace swarm::plan
