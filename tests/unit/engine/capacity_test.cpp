#include "engine/capacity.hpp"

#include <gtest/gtest.h>

namespace swarm::engine {
namespace {

TEST(Capacity, TheSmallerLimitWins) {
  Capacity capacity;
  capacity.files = 20000;
  capacity.port_low = 32768;
  capacity.port_high = 60999;
  capacity.sources = 1;
  EXPECT_EQ(capacity.by_ports(), 28232u);
  EXPECT_EQ(capacity.connections(), capacity.by_files());
  capacity.files = 1'000'000;
  EXPECT_EQ(capacity.connections(), 28232u);
  capacity.sources = 40;
  EXPECT_EQ(capacity.connections(), capacity.by_files());
}

TEST(Capacity, WarnsWithTheSettingToChange) {
  Capacity capacity;
  capacity.files = 1000;
  EXPECT_FALSE(capacity.warning_for(100));
  auto files = capacity.warning_for(5000);
  ASSERT_TRUE(files);
  EXPECT_NE(files->find("ulimit -n"), std::string::npos);
  capacity.files = 10'000'000;
  auto ports = capacity.warning_for(100'000);
  ASSERT_TRUE(ports);
  EXPECT_NE(ports->find("--source"), std::string::npos);
}

TEST(Capacity, ProbeRaisesTheSoftLimitToTheHardOne) {
  Capacity capacity = probe_capacity(1, 1);
  EXPECT_EQ(capacity.files, capacity.files_hard);
  EXPECT_GE(capacity.files, capacity.files_before);
  EXPECT_LT(capacity.port_low, capacity.port_high);
}

}  // namespace
}  // namespace swarm::engine
