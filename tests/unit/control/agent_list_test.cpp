// --agents: host:port entries and dns:NAME:PORT, with messages naming the
// entry that is wrong; resolution of literals, names and a name that does
// not exist.
#include "control/agent_list.hpp"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

namespace swarm::control {
namespace {

using namespace std::chrono_literals;

TEST(AgentList, ReadsAddressesAndNames) {
  const auto list = parse_agent_list("10.0.0.7:8412,[fd00::7]:8413,dns:swarm-agents:8412");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].host, "10.0.0.7");
  EXPECT_EQ(list[0].port, 8412);
  EXPECT_FALSE(list[0].every_address);
  EXPECT_EQ(list[1].host, "fd00::7");
  EXPECT_EQ(list[1].text(), "[fd00::7]:8413");
  EXPECT_TRUE(list[2].every_address);
  EXPECT_EQ(list[2].host, "swarm-agents");
  EXPECT_EQ(list[2].text(), "dns:swarm-agents:8412");
}

TEST(AgentList, SaysWhichEntryIsWrong) {
  for (const char* bad : {"", "a:1,,b:2", "10.0.0.7", "dns:name", "host:99999", "dns::8412"}) {
    try {
      parse_agent_list(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("--agents"), std::string::npos) << error.what();
    }
  }
}

Resolved resolve(const std::string& list) {
  asio::io_context io;
  Resolved out;
  asio::co_spawn(io, resolve_agents(parse_agent_list(list), 5000ms),
                 [&](std::exception_ptr, Resolved resolved) { out = std::move(resolved); });
  io.run();
  return out;
}

TEST(AgentList, ResolvesEveryAddressOfADnsNameAndOneOfAHostName) {
  const Resolved literals = resolve("127.0.0.2:8412,127.0.0.3:8412,127.0.0.2:8412");
  ASSERT_EQ(literals.endpoints.size(), 2u);  // the repeat is one agent
  EXPECT_EQ(to_string(literals.endpoints[1]), "127.0.0.3:8412");
  const Resolved host = resolve("localhost:8412");
  EXPECT_EQ(host.endpoints.size(), 1u);
  const Resolved every = resolve("dns:localhost:8412");
  EXPECT_GE(every.endpoints.size(), 1u);
  for (const auto& endpoint : every.endpoints) EXPECT_TRUE(endpoint.address().is_loopback());
  const Resolved missing = resolve("dns:no-such-agent.invalid:8412,127.0.0.9:1");
  EXPECT_EQ(missing.endpoints.size(), 1u);
  ASSERT_EQ(missing.problems.size(), 1u);
  EXPECT_NE(missing.problems[0].find("dns:no-such-agent.invalid:8412: "), std::string::npos);
}

}  // namespace
}  // namespace swarm::control
