#include "plan/byte_size.hpp"

#include <gtest/gtest.h>

namespace swarm::plan {
namespace {

TEST(ParseByteSize, AcceptsBytesAndBinaryAndDecimalUnits) {
  EXPECT_EQ(parse_byte_size("0"), 0u);
  EXPECT_EQ(parse_byte_size("1048576"), 1048576u);
  EXPECT_EQ(parse_byte_size("512B"), 512u);
  EXPECT_EQ(parse_byte_size("64KiB"), 64u * 1024);
  EXPECT_EQ(parse_byte_size("64K"), 64u * 1024);
  EXPECT_EQ(parse_byte_size("512MiB"), 512u << 20);
  EXPECT_EQ(parse_byte_size("1GiB"), 1u << 30);
  EXPECT_EQ(parse_byte_size("2T"), std::uint64_t{2} << 40);
  EXPECT_EQ(parse_byte_size("10MB"), 10'000'000u);
  EXPECT_EQ(parse_byte_size("1GB"), 1'000'000'000u);
}

TEST(ParseByteSize, RejectsSignsFractionsSpacesUnknownUnitsAndHugeValues) {
  for (const char* text : {"", "-1", "+1", "1.5GiB", "1 MiB", " 1", "1x", "MiB", "1mib", "1e6",
                           "99999999999999999999", "4194305TiB"}) {
    EXPECT_EQ(parse_byte_size(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(FormatByteSize, ShortestExactForm) {
  EXPECT_EQ(format_byte_size(1u << 30), "1GiB");
  EXPECT_EQ(format_byte_size(512u << 10), "512KiB");
  EXPECT_EQ(format_byte_size(1536u << 20), "1536MiB");
  EXPECT_EQ(format_byte_size(1000), "1000 bytes");
}

}  // namespace
}  // namespace swarm::plan
