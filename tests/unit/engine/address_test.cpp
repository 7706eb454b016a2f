#include "engine/address.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <stdexcept>

namespace swarm::engine {
namespace {

TEST(Address, SplitsHostAndPort) {
  EXPECT_EQ(split_host_port("127.0.0.1:8080"),
            std::make_pair(std::string("127.0.0.1"), std::uint16_t{8080}));
  EXPECT_EQ(split_host_port("[::1]:8411"), std::make_pair(std::string("::1"), std::uint16_t{8411}));
  EXPECT_EQ(split_host_port("localhost:1"),
            std::make_pair(std::string("localhost"), std::uint16_t{1}));
}

TEST(Address, RejectsBadAddressesWithTheText) {
  for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:70000", ":80",
                          "::1:80", "[::1]", "[::1]80", "host:8x"}) {
    try {
      split_host_port(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(bad), std::string::npos) << error.what();
    }
  }
}

TEST(Address, SourceBindErrorTellsAnAddressOfThisHostFromAStranger) {
  EXPECT_EQ(source_bind_error(parse_sources("127.0.0.1").front()), 0);
  EXPECT_EQ(source_bind_error(parse_sources("127.0.0.2").front()), 0);  // all of 127/8 is ours
  // The documentation ranges (RFC 5737) are rarely a host's own, but test
  // machines do use them: one of them must not be this host's.
  bool found_foreign = false;
  for (const char* candidate : {"203.0.113.7", "198.51.100.7", "192.0.2.77"}) {
    const int error = source_bind_error(parse_sources(candidate).front());
    EXPECT_TRUE(error == 0 || error == EADDRNOTAVAIL) << candidate << ": " << error;
    found_foreign = found_foreign || error == EADDRNOTAVAIL;
  }
  EXPECT_TRUE(found_foreign);
}

TEST(Address, ResolvesNumericAddresses) {
  auto v4 = resolve("127.0.0.1:8080");
  ASSERT_FALSE(v4.empty());
  EXPECT_EQ(to_string(v4.front()), "127.0.0.1:8080");
  auto v6 = resolve("[::1]:9");
  ASSERT_FALSE(v6.empty());
  EXPECT_EQ(to_string(v6.front()), "[::1]:9");
}

TEST(Address, ParsesSourceListsRangesAndCidrs) {
  EXPECT_EQ(parse_sources("127.0.0.1, 127.0.0.2").size(), 2u);
  auto range = parse_sources("127.0.0.1-127.0.0.50");
  ASSERT_EQ(range.size(), 50u);
  EXPECT_EQ(to_string(range.back()), "127.0.0.50:0");
  auto cidr = parse_sources("127.0.1.7/28");
  ASSERT_EQ(cidr.size(), 16u);
  EXPECT_EQ(to_string(cidr.front()), "127.0.1.0:0");
  EXPECT_EQ(parse_sources("::1").size(), 1u);
}

TEST(Address, RejectsBadSources) {
  EXPECT_THROW(parse_sources(""), std::invalid_argument);
  EXPECT_THROW(parse_sources("127.0.0.9-127.0.0.1"), std::invalid_argument);
  EXPECT_THROW(parse_sources("127.0.0.1/8"), std::invalid_argument);
  EXPECT_THROW(parse_sources("not-an-address"), std::invalid_argument);
}

}  // namespace
}  // namespace swarm::engine
