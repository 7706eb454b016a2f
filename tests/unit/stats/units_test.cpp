#include "stats/units.hpp"

#include <gtest/gtest.h>

namespace swarm::stats {
namespace {

TEST(Units, Counts) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1.0k");
  EXPECT_EQ(format_count(1234), "1.2k");
  EXPECT_EQ(format_count(12'345), "12.3k");
  EXPECT_EQ(format_count(123'456), "123k");
  EXPECT_EQ(format_count(999'999), "1.0M");
  EXPECT_EQ(format_count(2'500'000'000), "2.5G");
  EXPECT_EQ(format_exact(std::int64_t{42}), "42");
  EXPECT_EQ(format_exact(std::int64_t{-1500}), "-1500");
  EXPECT_EQ(format_exact(std::uint64_t{15000}), "15000");
}

TEST(Units, Rates) {
  EXPECT_EQ(format_rate(0), "0");
  EXPECT_EQ(format_rate(0.5), "0.5");
  EXPECT_EQ(format_rate(61), "61.0");
  EXPECT_EQ(format_rate(950), "950");
  EXPECT_EQ(format_rate(12'345.6), "12.3k");
}

TEST(Units, Bytes) {
  EXPECT_EQ(format_bytes(0), "0B");
  EXPECT_EQ(format_bytes(512), "512B");
  EXPECT_EQ(format_bytes(45.1 * 1024), "45.1KiB");
  EXPECT_EQ(format_bytes(3.0 * 1024 * 1024), "3.0MiB");
}

TEST(Units, Durations) {
  EXPECT_EQ(format_us(0), "0us");
  EXPECT_EQ(format_us(850), "850us");
  EXPECT_EQ(format_us(1234), "1.23ms");
  EXPECT_EQ(format_us(12'345), "12.3ms");
  EXPECT_EQ(format_us(123'456), "123ms");
  EXPECT_EQ(format_us(999'999), "1.00s");
  EXPECT_EQ(format_us(1'500'000), "1.50s");
}

TEST(Units, Elapsed) {
  using std::chrono::seconds;
  EXPECT_EQ(format_elapsed(seconds(5)), "5.0s");
  EXPECT_EQ(format_elapsed(seconds(125)), "2m05s");
  EXPECT_EQ(format_elapsed(seconds(3725)), "1h02m05s");
  EXPECT_EQ(format_elapsed(seconds(-3)), "0.0s");
}

}  // namespace
}  // namespace swarm::stats
