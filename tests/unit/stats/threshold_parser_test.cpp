// The threshold grammar: every form the issue and the README show, every
// error with its column, and any text at all answered without a crash.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "stats/threshold.hpp"

namespace swarm::stats {
namespace {

Threshold parsed(const std::string& text) {
  ThresholdParse result = parse_threshold(text);
  EXPECT_TRUE(result.threshold) << text << ": column " << result.error.column << ": "
                                << result.error.message;
  return result.threshold.value_or(Threshold{});
}

ThresholdError error_of(const std::string& text) {
  ThresholdParse result = parse_threshold(text);
  EXPECT_FALSE(result.threshold) << text << " parsed";
  return result.error;
}

TEST(ThresholdParser, PercentileOfACommand) {
  const Threshold t = parsed("p99(get) < 5ms");
  EXPECT_EQ(t.metric, ThresholdMetric::percentile);
  EXPECT_EQ(t.percentile, 99);
  EXPECT_EQ(t.subject, "get");
  EXPECT_EQ(t.subject_column, 5u);
  EXPECT_EQ(t.compare, ThresholdCompare::less);
  EXPECT_EQ(t.bound, 5000);  // µs
  EXPECT_EQ(t.expression, "p99(get) < 5ms");
  EXPECT_FALSE(t.abort);
  EXPECT_EQ(t.warmup.count(), 0);
}

TEST(ThresholdParser, FractionalPercentilesOfEveryCommand) {
  const Threshold t = parsed("p99.9(*) < 50ms");
  EXPECT_DOUBLE_EQ(t.percentile, 99.9);
  EXPECT_EQ(t.subject, "*");
  EXPECT_DOUBLE_EQ(parsed("p99.99(x)<1s").percentile, 99.99);
  EXPECT_EQ(parsed("p99.99(x)<1s").bound, 1e6);
  EXPECT_EQ(parsed("p50(@connect) <= 250us").subject, "@connect");
  EXPECT_EQ(parsed("p50(@connect) <= 250us").bound, 250);
}

TEST(ThresholdParser, LatencyViews) {
  EXPECT_EQ(parsed("p99(get) < 5ms").view, LatencyView::automatic);
  const Threshold service = parsed("service_p99.9(get) < 5ms");
  EXPECT_EQ(service.view, LatencyView::service);
  EXPECT_EQ(service.metric, ThresholdMetric::percentile);
  EXPECT_DOUBLE_EQ(service.percentile, 99.9);
  EXPECT_EQ(service.subject_column, 15u);
  EXPECT_EQ(parsed("intended_max(*) < 1s").view, LatencyView::intended);
  EXPECT_EQ(parsed("intended_max(*) < 1s").metric, ThresholdMetric::max);
  EXPECT_EQ(parsed("service_mean(get) < 1ms").metric, ThresholdMetric::mean);
  // Only latencies have views.
  EXPECT_NE(error_of("service_errors(*) < 1%").message.find("unknown function 'service_errors'"),
            std::string::npos);
  EXPECT_NE(error_of("intended_(get) < 1ms").message.find("unknown function"), std::string::npos);
}

TEST(ThresholdParser, ErrorsAsARatioOrACount) {
  const Threshold ratio = parsed("errors(*) < 0.1%");
  EXPECT_EQ(ratio.metric, ThresholdMetric::errors);
  EXPECT_TRUE(ratio.ratio);
  EXPECT_DOUBLE_EQ(ratio.bound, 0.001);
  const Threshold count = parsed("errors(timeout) == 0");
  EXPECT_FALSE(count.ratio);
  EXPECT_EQ(count.subject, "timeout");
  EXPECT_EQ(count.compare, ThresholdCompare::equal);
  EXPECT_EQ(count.bound, 0);
  EXPECT_EQ(parsed("errors < 10").subject, "*");
}

TEST(ThresholdParser, RatesCountersAndTheirUnits) {
  const Threshold rate = parsed("rate(replies) > 20000");
  EXPECT_EQ(rate.metric, ThresholdMetric::rate);
  EXPECT_EQ(rate.subject, "replies");
  EXPECT_EQ(rate.compare, ThresholdCompare::greater);
  EXPECT_EQ(rate.bound, 20000);
  EXPECT_EQ(parsed("rate(replies) > 20k").bound, 20000);
  const Threshold open = parsed("open >= 10000");
  EXPECT_EQ(open.metric, ThresholdMetric::counter);
  EXPECT_EQ(open.subject, "open");
  EXPECT_EQ(open.subject_column, 1u);
  EXPECT_EQ(open.compare, ThresholdCompare::greater_equal);
  EXPECT_EQ(parsed("requests != 1.5M").bound, 1.5e6);
  EXPECT_EQ(parsed("max(get) <= 2m").bound, 120e6);
  EXPECT_EQ(parsed("mean(get) < 100ns").bound, 0.1);
  EXPECT_EQ(parsed("p99(get) < 5 ms").bound, 5000);
  EXPECT_EQ(parsed("p99(get) < 5\u00b5s").bound, 5);
  EXPECT_DOUBLE_EQ(parsed("errors(*) < 0.5 %").bound, 0.005);
}

TEST(ThresholdParser, OptionsAbortAndWarmup) {
  const Threshold t = parsed("  p99(get) < 5ms ; abort; warmup = 10s  ");
  EXPECT_TRUE(t.abort);
  EXPECT_EQ(t.warmup, std::chrono::seconds(10));
  EXPECT_EQ(t.expression, "p99(get) < 5ms");
  EXPECT_EQ(parsed("open > 1;warmup=1.5s").warmup, std::chrono::milliseconds(1500));
}

TEST(ThresholdParser, ErrorsSayWhereAndWhat) {
  struct Case {
    std::string text;
    std::size_t column;
    std::string words;
  };
  const Case cases[] = {
      {"", 1, "empty threshold"},
      {"p99(get) 5ms", 10, "expected <, <=, >, >=, == or !="},
      {"p99(get) < 5", 12, "a latency needs a unit"},
      {"p99(get) < 5kg", 13, "unknown time unit 'kg'"},
      {"p99(get < 5ms", 9, "expected ')'"},
      {"p99 < 5ms", 5, "expected '(' after p99"},
      {"p0(get) < 5ms", 1, "percentile 0 is not in (0, 100]"},
      {"p101(get) < 5ms", 1, "not in (0, 100]"},
      {"p99() < 5ms", 5, "expected a command name"},
      {"count(get) > 1", 1, "unknown function 'count'"},
      {"rate(x) > 5%", 12, "'%' is for errors(...) only"},
      {"errors(*) < 5x", 14, "unexpected 'x'"},
      {"open > 5 extra", 10, "unexpected 'extra'"},
      {"open > 5; stop", 11, "expected an option"},
      {"open > 5; warmup 5s", 18, "expected '=' after warmup"},
      {"open > 5; warmup=5", 18, "warmup: expected a duration"},
      {"open > .5", 8, "expected a number"},
      {"open > 5.", 10, "expected digits after '.'"},
      {"> 5", 1, "expected a metric"},
  };
  for (const auto& c : cases) {
    const ThresholdError error = error_of(c.text);
    EXPECT_EQ(error.column, c.column) << c.text << ": " << error.message;
    EXPECT_NE(error.message.find(c.words), std::string::npos) << c.text << ": " << error.message;
  }
}

TEST(ThresholdParser, AnyTextGetsAnAnswer) {
  // What a fuzzer does, in small: every prefix of valid thresholds, and
  // random bytes from the grammar's alphabet, parse or fail with a column
  // inside the text (or just past it).
  const std::string valid[] = {"p99.9(get) <= 5ms; abort; warmup=10s", "errors(*) < 0.1%",
                               "rate(replies) > 20k", "open >= 10000"};
  for (const auto& text : valid) {
    for (std::size_t n = 0; n <= text.size(); ++n) {
      const ThresholdParse result = parse_threshold(text.substr(0, n));
      if (!result.threshold) {
        EXPECT_LE(result.error.column, n + 1) << text.substr(0, n);
      }
    }
  }
  std::mt19937 random(7);
  const std::string alphabet = "p9.(*)<=>!;%kMmsu@_ abcdefghijklmnopqrstuvwxyz0123456789\t\xff";
  for (int i = 0; i < 20000; ++i) {
    std::string text(random() % 24, ' ');
    for (char& c : text) c = alphabet[random() % alphabet.size()];
    const ThresholdParse result = parse_threshold(text);
    if (!result.threshold) {
      EXPECT_GE(result.error.column, 1u) << text;
      EXPECT_LE(result.error.column, text.size() + 1) << text;
      EXPECT_FALSE(result.error.message.empty()) << text;
    }
  }
}

}  // namespace
}  // namespace swarm::stats
