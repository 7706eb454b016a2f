// The threshold grammar (see threshold.hpp). A hand-written recursive
// descent over one line: the grammar is a dozen tokens, and its errors must
// name the column, which no parser library on Debian gives more simply.
// Numbers and units are read here, not with plan::parse_duration: stats is
// the lower layer.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

#include "stats/recorder.hpp"
#include "stats/threshold.hpp"

namespace swarm::stats {
namespace {

constexpr double kMicrosPer[] = {0.001, 1, 1, 1e3, 1e6, 60e6};  // ns us µs ms s m
constexpr std::array<std::string_view, 6> kTimeUnits = {"ns", "us", "\u00b5s", "ms", "s", "m"};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':' || c == '/' || c == '@';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// A failed parse step: thrown inside the parser only, caught at its door.
struct Failure {
  ThresholdError error;  // where and what
};

/// The text being read and the position in it (0-based; columns are +1).
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  void skip_spaces() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\t')) ++at_;
  }
  bool done() const { return at_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[at_]; }
  std::size_t column() const { return at_ + 1; }
  std::size_t position() const { return at_; }
  /// Goes back to `position` (one already passed).
  void rewind(std::size_t position) { at_ = position; }
  std::string_view text() const { return text_; }
  /// Consumes `word` when the text continues with it.
  bool take(std::string_view word) {
    if (text_.substr(at_).substr(0, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }
  /// Consumes and returns the longest run of characters `accept` takes.
  template <class Accept>
  std::string_view take_while(Accept accept) {
    const std::size_t start = at_;
    while (at_ < text_.size() && accept(text_[at_])) ++at_;
    return text_.substr(start, at_ - start);
  }
  [[noreturn]] void fail(std::size_t column, std::string message) const {
    throw Failure{{column, std::move(message)}};
  }
  [[noreturn]] void fail_here(std::string message) const { fail(column(), std::move(message)); }

 private:
  std::string_view text_;  // the whole threshold
  std::size_t at_ = 0;     // next character to read
};

/// What a metric's value is measured in: which units it takes.
enum class Kind { latency, errors, count };

Kind kind_of(ThresholdMetric metric) {
  switch (metric) {
    case ThresholdMetric::percentile:
    case ThresholdMetric::max:
    case ThresholdMetric::min:
    case ThresholdMetric::mean:
      return Kind::latency;
    case ThresholdMetric::errors:
      return Kind::errors;
    case ThresholdMetric::rate:
    case ThresholdMetric::counter:
      return Kind::count;
  }
  return Kind::count;
}

/// `p99`, `p99.9`, `p50`: the percentile, or nullopt when `name` is not one.
std::optional<double> percentile_of(std::string_view name) {
  if (name.size() < 2 || name[0] != 'p' || !is_digit(name[1])) return std::nullopt;
  double value = 0;
  double scale = 0;  // 0 before the point, then 0.1, 0.01, ...
  for (std::size_t i = 1; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '.' && scale == 0 && i + 1 < name.size()) {
      scale = 0.1;
    } else if (is_digit(c) && scale == 0) {
      value = value * 10 + (c - '0');
    } else if (is_digit(c)) {
      value += (c - '0') * scale;
      scale /= 10;
    } else {
      return std::nullopt;
    }
  }
  return value;
}

/// Takes a latency view's prefix off `name` ("service_p99" -> "p99").
LatencyView take_view(std::string_view& name) {
  for (const auto& [prefix, view] :
       {std::pair{std::string_view("service_"), LatencyView::service},
        std::pair{std::string_view("intended_"), LatencyView::intended}}) {
    if (name.size() > prefix.size() && name.substr(0, prefix.size()) == prefix) {
      name.remove_prefix(prefix.size());
      return view;
    }
  }
  return LatencyView::automatic;
}

bool is_latency_name(std::string_view name) {
  return percentile_of(name) || name == "max" || name == "min" || name == "mean" || name == "avg";
}

void read_metric(Cursor& in, Threshold& t) {
  const std::size_t start = in.column();
  std::string_view name = in.take_while([](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '.';
  });
  if (name.empty())
    in.fail_here("expected a metric: p99(CMD), max(CMD), errors(...), rate(...), open, ...");
  std::string_view measure = name;
  const LatencyView view = take_view(measure);
  if (view != LatencyView::automatic && is_latency_name(measure)) {
    t.view = view;
    name = measure;
  }
  if (const auto p = percentile_of(name)) {
    if (!(*p > 0 && *p <= 100)) in.fail(start, fmt::format("percentile {} is not in (0, 100]", *p));
    t.metric = ThresholdMetric::percentile;
    t.percentile = *p;
  } else if (name == "max" || name == "min" || name == "mean" || name == "avg") {
    t.metric = name == "max"   ? ThresholdMetric::max
               : name == "min" ? ThresholdMetric::min
                               : ThresholdMetric::mean;
  } else if (name == "errors" || name == "rate") {
    t.metric = name == "errors" ? ThresholdMetric::errors : ThresholdMetric::rate;
  } else {
    t.metric = ThresholdMetric::counter;
    t.subject = std::string(name);
    t.subject_column = start;
    in.skip_spaces();
    if (in.peek() == '(') {
      in.fail(start, fmt::format("unknown function '{}' (expected pNN, max, min, mean, errors or "
                                 "rate; a latency may take a service_ or intended_ prefix)",
                                 name));
    }
    return;
  }
  in.skip_spaces();
  if (!in.take("(")) {
    // `errors` alone is a counter, as `errors(*)`.
    if (t.metric == ThresholdMetric::errors) {
      t.subject = "*";
      t.subject_column = start;
      return;
    }
    in.fail_here(fmt::format("expected '(' after {}", name));
  }
  in.skip_spaces();
  t.subject_column = in.column();
  const std::string_view subject =
      in.peek() == '*' ? (in.take("*"), "*") : in.take_while(is_name_char);
  if (subject.empty()) in.fail_here("expected a command name, '*', '@connect' or '@handshake'");
  t.subject = std::string(subject);
  in.skip_spaces();
  if (!in.take(")")) in.fail_here(fmt::format("expected ')' after '{}'", subject));
}

ThresholdCompare read_compare(Cursor& in) {
  static constexpr std::array<std::pair<std::string_view, ThresholdCompare>, 6> ops{{
      {"<=", ThresholdCompare::less_equal},
      {">=", ThresholdCompare::greater_equal},
      {"==", ThresholdCompare::equal},
      {"!=", ThresholdCompare::not_equal},
      {"<", ThresholdCompare::less},
      {">", ThresholdCompare::greater},
  }};
  for (const auto& [word, compare] : ops) {
    if (in.take(word)) return compare;
  }
  in.fail_here("expected <, <=, >, >=, == or !=");
}

/// A decimal number (digits, optional fraction); no sign, no exponent.
double read_number(Cursor& in) {
  const std::string_view whole = in.take_while(is_digit);
  std::string_view fraction;
  if (!whole.empty() && in.peek() == '.') {
    in.take(".");
    fraction = in.take_while(is_digit);
    if (fraction.empty()) in.fail_here("expected digits after '.'");
  }
  if (whole.empty()) in.fail_here("expected a number");
  if (whole.size() + fraction.size() > 18) in.fail_here("number too long");
  double value = 0;
  for (char c : whole) value = value * 10 + (c - '0');
  double scale = 0.1;
  for (char c : fraction) {
    value += (c - '0') * scale;
    scale /= 10;
  }
  return value;
}

/// The bound after the operator, in the metric's own unit.
void read_bound(Cursor& in, Threshold& t) {
  const std::size_t number_column = in.column();
  double value = read_number(in);
  // The unit may follow a space: `5 ms` reads as `5ms`.
  const std::size_t after_number = in.position();
  in.skip_spaces();
  const char next = in.peek();
  const bool unit_follows = (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
                            next == '%' || next == '\xc2';  // µ in UTF-8
  if (!unit_follows) in.rewind(after_number);
  const std::size_t unit_column = in.column();
  const std::string_view unit =
      in.take_while([](char c) { return c != ' ' && c != '\t' && c != ';'; });
  switch (kind_of(t.metric)) {
    case Kind::latency: {
      const auto it = std::find(kTimeUnits.begin(), kTimeUnits.end(), unit);
      if (unit.empty()) {
        in.fail(number_column, fmt::format("a latency needs a unit: {0}ms, {0}us or {0}s", value));
      }
      if (it == kTimeUnits.end()) {
        in.fail(unit_column, fmt::format("unknown time unit '{}' (ns, us, ms, s or m)", unit));
      }
      t.bound = value * kMicrosPer[it - kTimeUnits.begin()];
      return;
    }
    case Kind::errors:
      if (unit == "%") {
        t.ratio = true;
        t.bound = value / 100;
        return;
      }
      break;
    case Kind::count:
      if (unit == "%") in.fail(unit_column, "'%' is for errors(...) only");
      break;
  }
  if (unit == "k") value *= 1e3;
  if (unit == "M") value *= 1e6;
  if (!unit.empty() && unit != "k" && unit != "M") {
    in.fail(unit_column,
            fmt::format("unexpected '{}' after the number (a count takes k or M{})", unit,
                        t.metric == ThresholdMetric::errors ? ", a ratio %" : ""));
  }
  t.bound = value;
}

/// `10s`, `500ms`, `1m`, `2.5s` -> nanoseconds.
std::chrono::nanoseconds read_duration(Cursor& in) {
  const std::size_t column = in.column();
  const double value = read_number(in);
  const std::string_view unit = in.take_while([](char c) { return c != ' ' && c != ';'; });
  const auto it = std::find(kTimeUnits.begin(), kTimeUnits.end(), unit);
  if (it == kTimeUnits.end()) {
    in.fail(column, "warmup: expected a duration with a unit, e.g. warmup=10s");
  }
  const double us = value * kMicrosPer[it - kTimeUnits.begin()];
  if (us > 1e13) in.fail(column, "warmup: too long");
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(us * 1000)));
}

void read_option(Cursor& in, Threshold& t) {
  const std::size_t column = in.column();
  const std::string_view word = in.take_while([](char c) { return c >= 'a' && c <= 'z'; });
  if (word == "abort") {
    t.abort = true;
  } else if (word == "warmup") {
    in.skip_spaces();
    if (!in.take("=")) in.fail_here("expected '=' after warmup (warmup=10s)");
    in.skip_spaces();
    t.warmup = read_duration(in);
  } else {
    in.fail(column, "expected an option: abort or warmup=DURATION");
  }
  in.skip_spaces();
}

Threshold parse_or_throw(std::string_view text) {
  Cursor in(text);
  Threshold t;
  t.text = std::string(text);
  in.skip_spaces();
  if (in.done()) in.fail_here("empty threshold (e.g. p99(get) < 5ms)");
  const std::size_t start = in.position();
  read_metric(in, t);
  in.skip_spaces();
  t.compare = read_compare(in);
  in.skip_spaces();
  read_bound(in, t);
  t.expression = std::string(text.substr(start, in.position() - start));
  in.skip_spaces();
  while (in.take(";")) {
    in.skip_spaces();
    read_option(in, t);
  }
  if (!in.done()) in.fail_here(fmt::format("unexpected '{}'", in.text().substr(in.position())));
  return t;
}

}  // namespace

ThresholdParse parse_threshold(std::string_view text) {
  try {
    return {parse_or_throw(text), {}};
  } catch (const Failure& failure) {
    return {std::nullopt, failure.error};
  }
}

}  // namespace swarm::stats
