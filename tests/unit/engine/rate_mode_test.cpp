// Rate mode through the engine, over loopback sockets: calls go out at the
// rate asked for whatever the server does; a stall leaves a backlog that is
// caught up at once (nothing skipped) and shows in the latency from the due
// time, not in the service time; the period follows the connections asked
// for; a rate change wakes a connection waiting for a far due time.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "engine/engine.hpp"
#include "line_server.hpp"
#include "protocol/module.hpp"
#include "swarm/reply_parsers.hpp"

namespace swarm::engine {
namespace {

using namespace std::chrono_literals;

/// Sends "ask" and takes a CRLF reply.
class AskInstance final : public protocol::ModuleInstance {
 public:
  Task<protocol::CommandOutcome> run(std::size_t, Client& client) override {
    co_await client.send_for_reply("ask\r\n", line_);
    co_return protocol::CommandOutcome{};
  }

 private:
  protocol::CrlfParser line_;  // the reply parser
};

class AskModule final : public protocol::Module {
 public:
  const std::string& name() const override { return name_; }
  const protocol::CommandTable& commands() const override { return commands_; }
  std::unique_ptr<protocol::ModuleInstance> instantiate(const plan::Plan&) const override {
    return std::make_unique<AskInstance>();
  }

 private:
  std::string name_ = "ask";
  protocol::CommandTable commands_{{{"ask", std::nullopt}}};
};

/// One action whose sleeps (10 s) rate mode must not use.
plan::Plan sleepy_plan() {
  plan::Action ask;
  ask.command = "ask";
  ask.sleep_between_rounds = {10s, 10s, false};
  ask.sleep_after_action = {10s, 10s, false};
  plan::Plan plan;
  plan.actions = {ask};
  return plan;
}

EngineConfig config_for(const testing::LineServer& server, double rate) {
  EngineConfig config;
  config.servers = {ServerTarget{"test server", {server.address()}, true}};
  config.timeout = 5s;
  config.seed = 1;
  config.rate = rate;
  return config;
}

/// Snapshots until `done` holds for one (or 10 s pass).
template <class Done>
stats::Recorder wait_for(Engine& engine, Done done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  stats::Recorder seen = engine.snapshot();
  while (!done(seen) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
    seen = engine.snapshot();
  }
  return seen;
}

/// How many values of `h` are at least `us`.
std::uint64_t at_least(const stats::Histogram& h, std::uint64_t us) {
  std::uint64_t count = 0;
  h.for_each_bucket([&](std::size_t index, std::uint64_t n) {
    if (stats::Histogram::lowest_in(index) >= us) count += n;
  });
  return count;
}

TEST(RateMode, AStallLeavesABacklogThatShowsFromTheDueTimeNotInTheServiceTime) {
  // 50 calls/s on one connection: one due every 20 ms. The 5th reply comes
  // 300 ms late (15 pauses of 20 ms before it).
  testing::LineServer server(
      [](int request) { return request == 5 ? std::string(15, '|') + "ok\r\n" : "ok\r\n"; });
  const plan::Plan plan = sleepy_plan();
  AskModule module;
  Engine engine(config_for(server, 50), plan, module);
  engine.start();
  engine.incr(1);
  const stats::Recorder seen =
      wait_for(engine, [](const stats::Recorder& r) { return r.replies >= 30; });
  EXPECT_TRUE(engine.stop(5s));
  ASSERT_GE(seen.replies, 30u) << "the plan's 10 s sleeps were used, or calls were skipped";
  const stats::CommandStats& ask = seen.actions[0];
  EXPECT_EQ(ask.scheduled, ask.calls);
  EXPECT_EQ(ask.intended_us.count(), ask.latency_us.count());
  EXPECT_GE(ask.intended_us.min(), ask.latency_us.min());
  EXPECT_GE(ask.intended_us.sum(), ask.latency_us.sum());
  // The service time saw one slow reply; the calls due during the stall
  // (at +20, +40, ... ms) went out at once after it, and each waited from
  // its due time: 280 ms, 260 ms, ... so at least 9 waited 100 ms or more.
  EXPECT_EQ(at_least(ask.latency_us, 200'000), 1u);
  EXPECT_GE(ask.intended_us.max(), 290'000u);
  EXPECT_GE(at_least(ask.intended_us, 100'000), 9u);
  // Nothing skipped: the server saw every call.
  EXPECT_GE(static_cast<std::uint64_t>(server.requests()), ask.calls - 1);
}

TEST(RateMode, ThePeriodFollowsTheConnectionsAskedFor) {
  testing::LineServer server([](int) { return "ok\r\n"; });
  const plan::Plan plan = sleepy_plan();
  AskModule module;
  Engine engine(config_for(server, 100), plan, module);
  engine.start();
  EXPECT_EQ(engine.call_period(), 0ns);  // no connection yet
  engine.incr(4);
  EXPECT_EQ(engine.call_period(), 40ms);  // 100/s over 4: 25/s each
  engine.decr(2);
  EXPECT_EQ(engine.call_period(), 20ms);
  engine.set_rate(1000);
  EXPECT_EQ(engine.call_period(), 2ms);
  engine.set_rate(0);
  EXPECT_EQ(engine.call_period(), 0ns);
  EXPECT_EQ(engine.rate(), 0.0);
  EXPECT_TRUE(engine.stop(5s));
}

TEST(RateMode, ARaiseWakesAConnectionWaitingForAFarDueTime) {
  // 0.001 calls/s: the first call is due up to 1000 s away, at a random
  // phase. Raised to 100/s, it is re-timed into the new period (<= 10 ms).
  testing::LineServer server([](int) { return "ok\r\n"; });
  const plan::Plan plan = sleepy_plan();
  AskModule module;
  EngineConfig config = config_for(server, 0.001);
  config.seed = 3;  // a phase far from 0
  Engine engine(config, plan, module);
  engine.start();
  engine.incr(1);
  wait_for(engine, [](const stats::Recorder& r) { return r.open == 1; });
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(engine.snapshot().requests, 0u) << "a call went out before its due time";
  engine.set_rate(100);
  const stats::Recorder seen =
      wait_for(engine, [](const stats::Recorder& r) { return r.replies >= 20; });
  EXPECT_GE(seen.replies, 20u);
  // Switched off: the plan's sleeps (10 s) pace the calls again.
  engine.set_rate(0);
  const auto before = wait_for(engine, [](const stats::Recorder& r) {
    return r.in_state[static_cast<std::size_t>(stats::ConnState::standby)] == 1;
  });
  std::this_thread::sleep_for(100ms);
  EXPECT_LE(engine.snapshot().requests, before.requests + 1);
  EXPECT_TRUE(engine.stop(5s));
}

}  // namespace
}  // namespace swarm::engine
