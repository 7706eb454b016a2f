// .hgrm output: HdrHistogram's percentile distribution, walked the same way.
#include "stats/hgrm.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace swarm::stats {
namespace {

struct Row {
  double value_ms;
  double percentile;
  std::uint64_t total;
  std::string inverse;
};

std::vector<Row> rows_of(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  std::vector<Row> rows;
  std::getline(lines, line);  // header
  std::getline(lines, line);  // blank
  while (std::getline(lines, line) && line[0] != '#') {
    std::istringstream fields(line);
    Row row;
    fields >> row.value_ms >> row.percentile >> row.total >> row.inverse;
    rows.push_back(row);
  }
  return rows;
}

TEST(Hgrm, HeaderRowsAndFooterAsHdrHistogramWritesThem) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v * 1000);  // 1 ms .. 100 ms
  const std::string text = format_hgrm(h);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            "       Value   Percentile   TotalCount 1/(1-Percentile)");
  const auto rows = rows_of(text);
  ASSERT_GE(rows.size(), 10u);
  EXPECT_EQ(rows.front().percentile, 0.0);
  EXPECT_NEAR(rows.front().value_ms, 1.0, 0.01);
  EXPECT_EQ(rows.front().total, 1u);
  EXPECT_EQ(rows.front().inverse, "1.00");
  EXPECT_EQ(rows.back().percentile, 1.0);
  EXPECT_EQ(rows.back().total, 100u);
  EXPECT_EQ(rows.back().inverse, "inf");
  EXPECT_NEAR(rows.back().value_ms, 100.0, 100.0 / 128);
  // Ticks: 10 per halving of the distance to 100 % (5 per half distance).
  EXPECT_NEAR(rows[1].percentile, 0.1, 1e-9);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_GE(rows[i].percentile, rows[i - 1].percentile);
    EXPECT_GE(rows[i].value_ms, rows[i - 1].value_ms);
    EXPECT_GE(rows[i].total, rows[i - 1].total);
    // A value is its bucket's highest: never below what it stands for.
    EXPECT_GE(rows[i].value_ms * 1000 + 0.5, static_cast<double>(rows[i].total) * 1000);
  }
  EXPECT_NE(text.find("#[Mean    =       50.500, StdDeviation   ="), std::string::npos) << text;
  EXPECT_NE(text.find("#[Max     =      100.000, Total count    =          100]"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("#[Buckets =           34, SubBuckets     =          256]"),
            std::string::npos)
      << text;
}

TEST(Hgrm, OneValueAndNone) {
  Histogram one;
  one.record(250);
  const auto rows = rows_of(format_hgrm(one));
  ASSERT_EQ(rows.size(), 2u);  // 0 % and the closing 100 %
  EXPECT_EQ(rows[0].value_ms, 0.25);
  EXPECT_EQ(rows[1].value_ms, 0.25);
  EXPECT_TRUE(rows_of(format_hgrm(Histogram{})).empty());
}

}  // namespace
}  // namespace swarm::stats
