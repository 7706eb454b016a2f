#include "plan/byte_size.hpp"

#include <gtest/gtest.h>

namespace swarm::plan {
namespace {

TEST(ParseByteSize, AcceptsPlainNumbersAndBinaryUnits) {
  EXPECT_EQ(parse_byte_size("0"), 0u);
  EXPECT_EQ(parse_byte_size("1048576"), 1048576u);
  EXPECT_EQ(parse_byte_size("100B"), 100u);
  EXPECT_EQ(parse_byte_size("64k"), 65536u);
  EXPECT_EQ(parse_byte_size("64KB"), 65536u);
  EXPECT_EQ(parse_byte_size("64KiB"), 65536u);
  EXPECT_EQ(parse_byte_size("1M"), 1048576u);
  EXPECT_EQ(parse_byte_size("1mib"), 1048576u);
  EXPECT_EQ(parse_byte_size("2GiB"), 2147483648u);
  EXPECT_EQ(parse_byte_size("2g"), 2147483648u);
}

TEST(ParseByteSize, RejectsJunkSignsFractionsAndOverflow) {
  for (const char* text : {"", "-1", "+1", "1.5M", "M", "1 M", " 1", "1 ", "1T", "1KiBB", "0x10",
                           "1e6", "9223372036854775809", "8589934593G"}) {
    EXPECT_EQ(parse_byte_size(text), std::nullopt) << "'" << text << "'";
  }
  EXPECT_EQ(parse_byte_size("8589934592G"), 1ULL << 63);
}

TEST(FormatByteSize, ShortestExactForm) {
  EXPECT_EQ(format_byte_size(0), "0B");
  EXPECT_EQ(format_byte_size(512), "512B");
  EXPECT_EQ(format_byte_size(1536), "1536B");
  EXPECT_EQ(format_byte_size(65536), "64KiB");
  EXPECT_EQ(format_byte_size(1048576), "1MiB");
  EXPECT_EQ(format_byte_size(3ULL << 30), "3GiB");
}

}  // namespace
}  // namespace swarm::plan
