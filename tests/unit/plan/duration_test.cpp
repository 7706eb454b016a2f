#include "plan/duration.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace swarm::plan {
namespace {

using namespace std::chrono_literals;
using std::chrono::nanoseconds;

TEST(ParseDuration, AcceptsUnitsAndBareSeconds) {
  EXPECT_EQ(parse_duration("250ms"), nanoseconds(250ms));
  EXPECT_EQ(parse_duration("2s"), nanoseconds(2s));
  EXPECT_EQ(parse_duration("1.5s"), nanoseconds(1500ms));
  EXPECT_EQ(parse_duration("1m"), nanoseconds(1min));
  EXPECT_EQ(parse_duration("1h"), nanoseconds(1h));
  EXPECT_EQ(parse_duration("100us"), nanoseconds(100us));
  EXPECT_EQ(parse_duration("100\u00b5s"), nanoseconds(100us));
  EXPECT_EQ(parse_duration("10ns"), 10ns);
  EXPECT_EQ(parse_duration("0"), 0ns);
  EXPECT_EQ(parse_duration("3"), nanoseconds(3s));
  EXPECT_EQ(parse_duration("0.25"), nanoseconds(250ms));
  EXPECT_EQ(parse_duration(".5"), nanoseconds(500ms));
  EXPECT_EQ(parse_duration("0ms"), 0ns);
}

TEST(ParseDuration, FractionsAreExactDecimals) {
  EXPECT_EQ(parse_duration("0.1"), nanoseconds(100ms));
  EXPECT_EQ(parse_duration("0.000000001"), 1ns);
  EXPECT_EQ(parse_duration("1.000000001s"), 1s + 1ns);
  EXPECT_EQ(parse_duration("0.5ns"), 0ns);  // below the resolution
  EXPECT_EQ(parse_duration("1.5h"), nanoseconds(90min));
  EXPECT_EQ(parse_duration("0.333333333333333333333333m"), nanoseconds(19999999999));
}

TEST(ParseDuration, RejectsNegativesEmptyAndJunk) {
  for (const char* text :
       {"",   "-1", "-0.5s", "+1",    "abc", "1x",  "s",  "1 s",  " 1",  "1 ",
        "1.", ".",  "1..5",  "1.5.2", "1e3", "1ss", "ms", "0x10", "1sm", "inf"}) {
    EXPECT_EQ(parse_duration(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(ParseDuration, AcceptsSumsOfUnits) {
  EXPECT_EQ(parse_duration("1m30s"), nanoseconds(90s));
  EXPECT_EQ(parse_duration("1h0.5m"), nanoseconds(1h + 30s));
  EXPECT_EQ(parse_duration("2s500ms"), nanoseconds(2500ms));
  EXPECT_EQ(parse_duration("1m30"), std::nullopt);  // a bare number must stand alone
  EXPECT_EQ(parse_duration("1m 30s"), std::nullopt);
  EXPECT_EQ(parse_duration("2562047h48m"), std::nullopt);  // the sum overflows
}

TEST(ParseDuration, RejectsOverflow) {
  EXPECT_EQ(parse_duration("9223372036854775807ns"),
            nanoseconds(std::numeric_limits<std::int64_t>::max()));
  EXPECT_EQ(parse_duration("9223372036854775808ns"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372037s"), std::nullopt);
  EXPECT_EQ(parse_duration("9223372036.9s"), std::nullopt);
  EXPECT_EQ(parse_duration("3000000h"), std::nullopt);
  EXPECT_EQ(parse_duration("99999999999999999999999999"), std::nullopt);
}

TEST(FormatDuration, ShortestExactForm) {
  EXPECT_EQ(format_duration(0ns), "0s");
  EXPECT_EQ(format_duration(250ms), "250ms");
  EXPECT_EQ(format_duration(2s), "2s");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(1h), "1h");
  EXPECT_EQ(format_duration(1h + 5s), "1h5s");
  EXPECT_EQ(format_duration(100us), "100us");
  EXPECT_EQ(format_duration(1500us), "1.5ms");
  EXPECT_EQ(format_duration(7ns), "7ns");
  EXPECT_EQ(format_duration(-2s), "-2s");
  EXPECT_EQ(format_duration(nanoseconds(std::numeric_limits<std::int64_t>::min())),
            "-2562047h47m16.854775808s");
}

TEST(FormatDuration, RoundTripsThroughParse) {
  for (const nanoseconds value : {nanoseconds(1), nanoseconds(999), nanoseconds(1'234'567),
                                  nanoseconds(61'000'000'001), nanoseconds(3'725'500'000'000)}) {
    EXPECT_EQ(parse_duration(format_duration(value)), value) << format_duration(value);
  }
}

}  // namespace
}  // namespace swarm::plan
