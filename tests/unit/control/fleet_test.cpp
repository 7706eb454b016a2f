// Fleet membership and merging: agents join when they run the fleet's plan,
// are refused otherwise, are lost after three missed intervals with their
// counts kept and their gauges dropped, and a restarted agent's earlier run
// stays in the totals.
#include "control/fleet.hpp"

#include <gtest/gtest.h>

#include <asio/ip/address.hpp>

namespace swarm::control {
namespace {

asio::ip::tcp::endpoint at(const char* address) {
  return {asio::ip::make_address(address), 8412};
}

stats::RunSnapshot snapshot(const std::string& run, const std::string& digest,
                            std::uint64_t requests, std::int64_t open) {
  stats::RunSnapshot s;
  s.agent = {run, "1.0", digest, "node", 1.7e9};
  s.action_names = {"PING"};
  s.totals.actions.assign(s.action_names);
  s.totals.requests = requests;
  s.totals.open = open;
  s.totals.in_state[0] = open;
  s.totals.actions.command(0).requests = requests;
  s.totals.actions.command(0).in_flight = 1;
  s.totals.actions.command(0).latency_us.record_n(100, requests);
  return s;
}

class FleetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fleet.offer({at("127.0.0.2"), at("127.0.0.3"), at("127.0.0.4")});
    fleet.offer({at("127.0.0.3")});  // seen already
    ASSERT_EQ(fleet.agents().size(), 3u);
    for (Agent* agent : fleet.agents()) {
      fleet.answered(*agent, snapshot("run-" + agent->address, "sha256:a", 0, 0), 0.001, now);
    }
    fleet.admit("sha256:a");
    ASSERT_EQ(fleet.members().size(), 3u);
    EXPECT_TRUE(fleet.take_membership_change());
    EXPECT_FALSE(fleet.take_membership_change());
  }
  Agent& agent(std::size_t i) { return *fleet.agents()[i]; }
  Fleet fleet;
  Clock::time_point now = Clock::now();
};

TEST_F(FleetTest, MergesEveryMembersCounts) {
  for (std::size_t i = 0; i < 3; ++i) {
    fleet.answered(agent(i), snapshot("run-" + agent(i).address, "sha256:a", 100 * (i + 1), 10),
                   0.001, now);
  }
  const stats::Recorder merged = fleet.merged();
  EXPECT_EQ(merged.requests, 600u);
  EXPECT_EQ(merged.open, 30);
  EXPECT_EQ(merged.actions.commands()[0].latency_us.count(), 600u);
  EXPECT_EQ(merged.actions.commands()[0].in_flight, 3);
}

TEST_F(FleetTest, LosesAnAgentAfterThreeMissesKeepingItsCounts) {
  fleet.answered(agent(1), snapshot("run-" + agent(1).address, "sha256:a", 500, 50), 0.001, now);
  EXPECT_TRUE(fleet.missed(agent(1), "connect: Connection refused").empty());
  EXPECT_TRUE(fleet.missed(agent(1), "connect: Connection refused", false).empty());  // stat
  EXPECT_TRUE(fleet.missed(agent(1), "connect: Connection refused").empty());
  EXPECT_FALSE(fleet.take_membership_change());
  const auto news = fleet.missed(agent(1), "connect: Connection refused");
  ASSERT_EQ(news.size(), 1u);
  EXPECT_NE(news[0].find("agent 127.0.0.3:8412 lost: no answer for 3 intervals"), std::string::npos)
      << news[0];
  EXPECT_NE(news[0].find("its 50 open connections are no longer counted"), std::string::npos);
  EXPECT_EQ(agent(1).state, AgentState::lost);
  EXPECT_TRUE(fleet.take_membership_change());
  EXPECT_EQ(fleet.members().size(), 2u);
  const stats::Recorder merged = fleet.merged();
  EXPECT_EQ(merged.requests, 500u);  // its counts stay
  EXPECT_EQ(merged.open, 0);         // its gauges do not
  EXPECT_EQ(merged.actions.commands()[0].in_flight, 2);

  // It answers again: a member once more.
  fleet.answered(agent(1), snapshot("run-" + agent(1).address, "sha256:a", 520, 50), 0.001, now);
  EXPECT_EQ(agent(1).state, AgentState::up);
  EXPECT_TRUE(fleet.take_membership_change());
  EXPECT_EQ(fleet.merged().open, 50);
}

TEST_F(FleetTest, KeepsARestartedAgentsEarlierRun) {
  fleet.answered(agent(0), snapshot("run-" + agent(0).address, "sha256:a", 700, 5), 0.001, now);
  const auto news = fleet.answered(agent(0), snapshot("run-new", "sha256:a", 3, 0), 0.001, now);
  ASSERT_GE(news.size(), 2u);
  EXPECT_NE(news[0].find("restarted"), std::string::npos);
  EXPECT_NE(news[1].find("joined"), std::string::npos);
  ASSERT_EQ(fleet.retired().size(), 1u);
  EXPECT_EQ(fleet.retired()[0].state, AgentState::restarted);
  EXPECT_EQ(agent(0).state, AgentState::up);
  // The new run joined with 3 requests of its own: the fleet counts from
  // its joining, and keeps the old run's 700.
  fleet.answered(agent(0), snapshot("run-new", "sha256:a", 13, 0), 0.001, now);
  EXPECT_EQ(fleet.merged().requests, 710u);
}

TEST_F(FleetTest, RefusesAnAgentWithAnotherPlan) {
  fleet.offer({at("127.0.0.5")});
  Agent& stranger = *fleet.agents()[3];
  const auto news = fleet.answered(stranger, snapshot("other", "sha256:b", 40, 4), 0.001, now);
  ASSERT_EQ(news.size(), 1u);
  EXPECT_NE(news[0].find("runs another plan or module"), std::string::npos) << news[0];
  EXPECT_EQ(stranger.state, AgentState::refused);
  EXPECT_EQ(fleet.members().size(), 3u);
  EXPECT_EQ(fleet.merged().requests, 0u);
}

TEST(Fleet, WaitsToCheckUntilTheDigestIsKnown) {
  Fleet fleet;
  fleet.offer({at("127.0.0.2")});
  Agent& only = *fleet.agents()[0];
  EXPECT_TRUE(fleet.answered(only, snapshot("r", "sha256:a", 0, 0), 0.001, Clock::now()).empty());
  EXPECT_EQ(only.state, AgentState::waiting);
  EXPECT_EQ(fleet.answered(), 1u);
  fleet.admit("sha256:a");
  EXPECT_EQ(only.state, AgentState::up);
  EXPECT_EQ(counts_only(only.last->totals).open, 0);
}

}  // namespace
}  // namespace swarm::control
