// Servers that misbehave, over real loopback sockets: each failure is seen
// at once, counted under its own reason, and the connection reconnects.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "engine_harness.hpp"
#include "peer_server.hpp"

namespace swarm::engine {
namespace {

using namespace std::chrono_literals;
using stats::Reason;
using testing::count;
using testing::PeerServer;

TEST(ConnectionFaultsTest, HalfAReplyThenACloseIsSeenAsAClose) {
  // The close arrives with the data: one readiness event carries both, and
  // the short read that takes the data must not hide the end of the stream.
  PeerServer server([](int client, const std::atomic<bool>& stopping) {
    if (PeerServer::read_line(client, stopping)) PeerServer::send_all(client, "+OK hal");
  });
  testing::AskLineModule module;
  EngineConfig config = testing::config_for(server.address());
  config.timeout = 3s;  // a close missed would show up as a timeout
  const auto started = std::chrono::steady_clock::now();
  stats::Recorder seen = testing::run_until(config, testing::ask_plan(0ns), module,
                                            [&] { return server.accepted() >= 6; });
  EXPECT_GE(server.accepted(), 6);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "closes were not seen at once";
  EXPECT_GE(count(seen, Reason::closed), 5u);
  EXPECT_EQ(count(seen, Reason::timeout), 0u);
}

TEST(ConnectionFaultsTest, ZeroTimeoutsMeanNone) {
  // Replies take 150 ms; with both timeouts 0 nothing times out (0 means no
  // limit, as elsewhere), connects included.
  PeerServer server([](int client, const std::atomic<bool>& stopping) {
    while (PeerServer::read_line(client, stopping)) {
      std::this_thread::sleep_for(150ms);
      if (!PeerServer::send_all(client, "+OK\r\n")) return;
    }
  });
  testing::AskLineModule module;
  EngineConfig config = testing::config_for(server.address());
  config.timeout = 0ns;
  config.connect_timeout = 0ns;
  stats::Recorder seen = testing::run_until(config, testing::ask_plan(0ns), module,
                                            [&] { return module.replies() >= 3; });
  EXPECT_GE(module.replies(), 3);
  EXPECT_EQ(seen.errors, (std::array<std::uint64_t, stats::kReasons>{}));
  EXPECT_EQ(server.accepted(), 1);
}

}  // namespace
}  // namespace swarm::engine
