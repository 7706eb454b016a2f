// A connection over loopback sockets with a module that uses the hooks a
// protocol may need: on_connect before the plan, on_idle during long
// sleeps, pipelined requests, receive() of a message the server sends on
// its own, and a push handler that answers at once with send_now().
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.hpp"
#include "line_server.hpp"
#include "protocol/module.hpp"
#include "swarm/reply_parsers.hpp"

namespace swarm::engine {
namespace {

using namespace std::chrono_literals;
using protocol::CommandOutcome;

/// What the module saw (written on the worker's thread, read once the
/// engine has stopped).
struct Seen {
  std::vector<std::string> replies;  // replies and received messages, in order
  std::vector<std::string> pushes;   // messages taken as pushes
};

class HookInstance final : public protocol::ModuleInstance, public protocol::PushHandler {
 public:
  HookInstance(Seen& seen, const plan::Plan& plan) : seen_(seen), plan_(plan) {}

  Task<CommandOutcome> run(std::size_t action, Client& client) override {
    protocol::CrlfParser line;
    if (plan_.actions[action].command == "ask") {  // three requests at once
      if (co_await client.send_pipelined("a\r\nb\r\nc\r\n", 3) != IoStatus::ok)
        co_return CommandOutcome{};
      for (int i = 0; i < 3; ++i) {
        Reply reply = co_await client.read_reply(line);
        if (reply.status != IoStatus::ok) co_return CommandOutcome{};
        seen_.replies.emplace_back(reply.data);
      }
    } else {  // listen: a reply, then a message sent later on its own
      Reply reply = co_await client.send_for_reply("listen\r\n", line);
      if (reply.status != IoStatus::ok) co_return CommandOutcome{};
      seen_.replies.emplace_back(reply.data);
      Reply message = co_await client.receive(line);
      if (message.status == IoStatus::ok) seen_.replies.emplace_back(message.data);
    }
    co_return CommandOutcome{};
  }

  Task<CommandOutcome> on_connect(Client& client) override {
    protocol::CrlfParser line;
    Reply reply = co_await client.send_for_reply("hello\r\n", line);
    if (reply.status == IoStatus::ok) seen_.replies.emplace_back(reply.data);
    co_return CommandOutcome{};
  }
  Task<CommandOutcome> on_idle(Client& client) override {
    protocol::CrlfParser line;
    co_await client.send_for_reply("idle\r\n", line);
    co_return CommandOutcome{};
  }
  std::chrono::nanoseconds idle_period() const override { return 100ms; }

  protocol::PushHandler* push_handler() override { return this; }
  ReplyParser& framer() override { return framer_; }
  bool is_push(Client&, std::string_view message) override { return message.starts_with('>'); }
  CommandOutcome on_push(Client& client, std::string_view message) override {
    seen_.pushes.emplace_back(message);
    // Answered at once, from inside the read that found it.
    client.send_now("ack " + std::string(message.substr(1, message.size() - 3)) + "\r\n");
    return {};
  }

 private:
  Seen& seen_;
  const plan::Plan& plan_;
  protocol::CrlfParser framer_;  // frames pushes
};

class HookModule final : public protocol::Module {
 public:
  explicit HookModule(Seen& seen) : seen_(seen) {}
  const std::string& name() const override { return name_; }
  const protocol::CommandTable& commands() const override { return commands_; }
  std::unique_ptr<protocol::ModuleInstance> instantiate(const plan::Plan& plan) const override {
    return std::make_unique<HookInstance>(seen_, plan);
  }
  protocol::Hooks hooks(const plan::Plan&) const override { return {true, true}; }

 private:
  Seen& seen_;
  std::string name_ = "hooks";
  protocol::CommandTable commands_{{{"ask", std::nullopt}, {"listen", std::nullopt}}};
};

plan::Action action(const char* command, std::chrono::nanoseconds after) {
  plan::Action made;
  made.command = command;
  made.sleep_between_rounds = {0ns, 0ns, false};
  made.sleep_after_action = {after, after, false};
  return made;
}

/// Runs one connection until `done` holds (or 10 s pass), then stops.
template <class Done>
stats::Recorder run_until(const testing::LineServer& server, const plan::Plan& plan,
                          const protocol::Module& module, Done done) {
  EngineConfig config;
  config.servers = {ServerTarget{"test server", {server.address()}, true}};
  config.timeout = 5s;
  config.seed = 1;
  Engine engine(config, plan, module);
  engine.start();
  engine.incr(1);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  stats::Recorder seen = engine.snapshot();
  EXPECT_TRUE(engine.stop(5s));
  return seen;
}

/// Answers each line with "+OK <line>"; `ack` lines get no answer.
std::string echo(int, const std::string& line) {
  if (line.starts_with("ack")) return "";
  return "+OK " + line + "\r\n";
}

TEST(ConnectionHooksTest, OnConnectFirstThenPipelinedRepliesAndIdleTalkDuringSleeps) {
  testing::LineServer server(echo);
  Seen seen;
  HookModule module(seen);
  plan::Plan plan;
  plan.actions = {action("ask", 350ms)};
  stats::Recorder counts = run_until(server, plan, module, [&] {
    auto lines = server.lines();
    return std::count(lines.begin(), lines.end(), "a") >= 2;
  });
  const std::vector<std::string> lines = server.lines();
  ASSERT_GE(lines.size(), 10u);
  // A sleep of 350 ms with an idle period of 100 ms: three on_idle calls.
  EXPECT_EQ(
      std::vector<std::string>(lines.begin(), lines.begin() + 10),
      (std::vector<std::string>{"hello", "a", "b", "c", "idle", "idle", "idle", "a", "b", "c"}));
  ASSERT_GE(seen.replies.size(), 4u);
  EXPECT_EQ(seen.replies[0], "+OK hello\r\n");
  EXPECT_EQ(seen.replies[3], "+OK c\r\n");
  ASSERT_EQ(counts.actions.size(), 3u);  // ask, on_connect, on_idle
  EXPECT_EQ(counts.actions[1].calls, 1u);
  EXPECT_GE(counts.actions[2].calls, 3u);
  EXPECT_EQ(counts.actions[0].requests, 3 * counts.actions[0].calls);
  EXPECT_EQ(counts.actions[0].latency_us.count(), counts.actions[0].replies);
  EXPECT_EQ(counts.errors, (std::array<std::uint64_t, stats::kReasons>{}));
  EXPECT_EQ(server.accepted(), 1);
}

TEST(ConnectionHooksTest, ReceiveTakesTheNextMessageAndPushesAreAnsweredAtOnce) {
  // The reply to `listen` comes with a push before it; 20 ms later, a
  // message that receive() must get even though it looks like a push.
  testing::LineServer server([](int n, const std::string& line) -> std::string {
    if (line == "listen") return ">p" + std::to_string(n) + "\r\n+OK\r\n|>later\r\n";
    return echo(n, line);
  });
  Seen seen;
  HookModule module(seen);
  plan::Plan plan;
  plan.actions = {action("listen", 50ms)};
  stats::Recorder counts = run_until(server, plan, module, [&] {
    auto lines = server.lines();
    return std::count(lines.begin(), lines.end(), "listen") >= 2 &&
           std::find(lines.begin(), lines.end(), "ack p2") != lines.end();
  });
  ASSERT_GE(seen.replies.size(), 4u);
  EXPECT_EQ(seen.replies[1], "+OK\r\n");
  EXPECT_EQ(seen.replies[2], ">later\r\n");  // receive() is not diverted
  EXPECT_EQ(seen.replies[3], "+OK\r\n");
  ASSERT_GE(seen.pushes.size(), 1u);
  EXPECT_EQ(seen.pushes[0], ">p2\r\n");  // request 1 was `hello`
  const std::vector<std::string> lines = server.lines();
  EXPECT_NE(std::find(lines.begin(), lines.end(), "ack p2"), lines.end());
  EXPECT_EQ(counts.errors, (std::array<std::uint64_t, stats::kReasons>{}));
}

}  // namespace
}  // namespace swarm::engine
