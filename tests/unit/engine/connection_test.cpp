// A connection over real loopback sockets, run by the engine against a
// scripted server and a test module: what servers push reaches the module
// between commands and before replies without corrupting them, and how a
// command ended decides what the connection does next.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/engine.hpp"
#include "line_server.hpp"
#include "protocol/module.hpp"
#include "swarm/reply_parsers.hpp"

namespace swarm::engine {
namespace {

using namespace std::chrono_literals;

/// What the test module saw, written on the worker's thread and read by
/// the test once the engine has stopped.
struct Journal {
  using Time = std::chrono::steady_clock::time_point;
  std::vector<std::string> replies;                 // each reply, in order
  std::vector<Time> replied;                        // when each reply came
  std::vector<std::pair<std::string, int>> pushes;  // each push, and how many
                                                    // commands had started then
  std::vector<Time> pushed;                         // when each push came
  int started = 0;                                  // commands started
  int throw_on = 0;                                 // the command that throws (0: none)
  int throwing_action = -1;                         // the plan action that always throws
};

/// Sends "ask", takes a CRLF reply, and takes lines starting with '>' as
/// pushes.
class AskInstance final : public protocol::ModuleInstance, public protocol::PushHandler {
 public:
  explicit AskInstance(Journal& journal) : journal_(journal) {}

  Task<protocol::CommandOutcome> run(std::size_t action, Client& client) override {
    ++journal_.started;
    if (journal_.started == journal_.throw_on ||
        static_cast<int>(action) == journal_.throwing_action) {
      co_return protocol::CommandOutcome{protocol::CommandOutcome::Kind::script_error, "ask: boom"};
    }
    Reply reply = co_await client.send_for_reply("ask\r\n", line_);
    if (reply.status == IoStatus::ok) {
      journal_.replies.emplace_back(reply.data);
      journal_.replied.push_back(std::chrono::steady_clock::now());
    }
    co_return protocol::CommandOutcome{};
  }
  protocol::PushHandler* push_handler() override { return this; }

  ReplyParser& framer() override { return framer_; }
  bool is_push(Client&, std::string_view message) override { return message.starts_with('>'); }
  protocol::CommandOutcome on_push(Client&, std::string_view message) override {
    journal_.pushes.emplace_back(std::string(message), journal_.started);
    journal_.pushed.push_back(std::chrono::steady_clock::now());
    return {};
  }

 private:
  Journal& journal_;
  protocol::CrlfParser line_;    // the command's reply parser
  protocol::CrlfParser framer_;  // frames pushes
};

class AskModule final : public protocol::Module {
 public:
  explicit AskModule(Journal& journal) : journal_(journal) {}
  const std::string& name() const override { return name_; }
  const protocol::CommandTable& commands() const override { return commands_; }
  std::unique_ptr<protocol::ModuleInstance> instantiate(const plan::Plan&) const override {
    return std::make_unique<AskInstance>(journal_);
  }

 private:
  Journal& journal_;
  std::string name_ = "ask";
  protocol::CommandTable commands_{{{"ask", std::nullopt}}};
};

plan::Plan ask_plan(std::chrono::nanoseconds sleep) {
  plan::Action ask;
  ask.command = "ask";
  ask.sleep_between_rounds = {sleep, sleep, false};
  ask.sleep_after_action = {0ns, 0ns, false};
  plan::Plan plan;
  plan.actions = {ask};
  return plan;
}

EngineConfig config_for(const testing::LineServer& server) {
  EngineConfig config;
  config.servers = {ServerTarget{"test server", {server.address()}, true}};
  config.backoff_max = 100ms;  // a script error backs off 20 ms
  config.timeout = 5s;
  config.seed = 1;
  return config;
}

/// Runs one connection until `done` holds (or 10 s pass), then stops.
template <class Done>
stats::Recorder run_until(const testing::LineServer& server, const plan::Plan& plan,
                          const protocol::Module& module, Done done) {
  Engine engine(config_for(server), plan, module);
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

TEST(ConnectionTest, PushesReachTheModuleWithoutCorruptingReplies) {
  // Each reply comes after a push in the same write; 20 ms later two more
  // pushes follow (the second cut in two writes) while the connection
  // sleeps 500 ms before its next command.
  testing::LineServer server([](int n) {
    std::string id = std::to_string(n);
    return ">before " + id + "\r\n+OK " + id + "\r\n|>after " + id + "\r\n>la|te " + id + "\r\n";
  });
  Journal journal;
  AskModule module(journal);
  stats::Recorder seen =
      run_until(server, ask_plan(500ms), module, [&] { return server.requests() >= 3; });
  ASSERT_GE(journal.replies.size(), 2u);
  for (std::size_t i = 0; i < journal.replies.size(); ++i) {
    EXPECT_EQ(journal.replies[i], "+OK " + std::to_string(i + 1) + "\r\n");
  }
  ASSERT_GE(journal.pushes.size(), 4u);
  EXPECT_EQ(journal.pushes[0], std::make_pair(std::string(">before 1\r\n"), 1));
  // Read while the connection slept, before the second command started.
  EXPECT_EQ(journal.pushes[1], std::make_pair(std::string(">after 1\r\n"), 1));
  EXPECT_EQ(journal.pushes[2], std::make_pair(std::string(">late 1\r\n"), 1));
  EXPECT_EQ(journal.pushes[3], std::make_pair(std::string(">before 2\r\n"), 2));
  // ... as they came (20 ms after the reply), not when the sleep ended.
  EXPECT_LT(journal.pushed[2] - journal.replied[0], 250ms);
  EXPECT_EQ(seen.errors, (std::array<std::uint64_t, stats::kReasons>{}));
  EXPECT_EQ(server.accepted(), 1);
}

TEST(ConnectionTest, AScriptErrorKeepsTheConnectionAndThePlanGoesOn) {
  testing::LineServer server([](int) { return std::string("+OK\r\n"); });
  Journal journal;
  journal.throw_on = 2;
  AskModule module(journal);
  stats::Recorder seen =
      run_until(server, ask_plan(0ns), module, [&] { return server.requests() >= 3; });
  EXPECT_EQ(server.accepted(), 1);  // the same TCP connection throughout
  EXPECT_EQ(seen.errors[static_cast<std::size_t>(stats::Reason::script_error)], 1u);
  EXPECT_EQ(seen.script_errors.at("ask: boom"), 1u);
  EXPECT_EQ(seen.actions[0].errors, 1u);
  EXPECT_EQ(seen.ended, (std::array<std::uint64_t, stats::kReasons>{}));  // nothing ended
}

TEST(ConnectionTest, AfterAScriptErrorTheNextActionRuns) {
  // Action 1 always raises; action 2 asks. The plan goes on past the error
  // to action 2, on the same connection, each iteration.
  testing::LineServer server([](int) { return std::string("+OK\r\n"); });
  Journal journal;
  journal.throwing_action = 0;
  AskModule module(journal);
  plan::Plan plan = ask_plan(0ns);
  plan.actions.insert(plan.actions.begin(), plan.actions.front());
  plan.actions.front().command = "ask_first";  // counted apart: stats are kept per command
  stats::Recorder seen = run_until(server, plan, module, [&] { return server.requests() >= 3; });
  EXPECT_GE(server.requests(), 3);
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_GE(seen.actions[0].errors, 3u);
  EXPECT_EQ(seen.actions[1].errors, 0u);
  EXPECT_GE(seen.actions[1].replies, 3u);
  EXPECT_GE(seen.iterations, 2u);
}

}  // namespace
}  // namespace swarm::engine
