// What engine tests over loopback share: a module whose one command sends a
// request and reads a CRLF-framed reply, a one-action plan, and a run of the
// real engine until a condition holds.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.hpp"
#include "protocol/module.hpp"
#include "swarm/reply_parsers.hpp"

namespace swarm::engine::testing {

using namespace std::chrono_literals;

/// A CRLF parser that takes `delay` of CPU for each piece it is fed: a
/// reader slower than the server.
class SlowCrlfParser final : public ReplyParser {
 public:
  explicit SlowCrlfParser(std::chrono::microseconds delay) : delay_(delay) {}
  void begin() override { line_.begin(); }
  Step feed(std::string_view data) override {
    const auto until = std::chrono::steady_clock::now() + delay_;
    while (std::chrono::steady_clock::now() < until) {
    }
    return line_.feed(data);
  }

 private:
  std::chrono::microseconds delay_;  // per feed()
  protocol::CrlfParser line_;        // does the framing
};

/// One command, "ask": sends `request`, reads one CRLF line (each piece
/// parsed in `parse_delay`). Counts what it sees (written on the worker's
/// thread, read once the engine stopped).
class AskLineModule final : public protocol::Module {
 public:
  explicit AskLineModule(std::string request = "ask\r\n",
                         std::chrono::microseconds parse_delay = {})
      : request_(std::move(request)), parse_delay_(parse_delay) {}
  const std::string& name() const override { return name_; }
  const protocol::CommandTable& commands() const override { return commands_; }
  std::unique_ptr<protocol::ModuleInstance> instantiate(const plan::Plan&) const override {
    return std::make_unique<Instance>(*this);
  }
  int replies() const { return replies_; }
  /// When each reply came (read once the engine has stopped).
  const std::vector<std::chrono::steady_clock::time_point>& replied() const { return replied_; }

 private:
  class Instance final : public protocol::ModuleInstance {
   public:
    explicit Instance(const AskLineModule& module) : module_(module), line_(module.parse_delay_) {}
    Task<protocol::CommandOutcome> run(std::size_t, Client& client) override {
      Reply reply = co_await client.send_for_reply(module_.request_, line_);
      if (reply.status == IoStatus::ok) {
        ++module_.replies_;
        module_.replied_.push_back(std::chrono::steady_clock::now());
      }
      co_return protocol::CommandOutcome{};
    }

   private:
    const AskLineModule& module_;
    SlowCrlfParser line_;
  };

  std::string request_;
  std::chrono::microseconds parse_delay_;
  std::string name_ = "ask";
  protocol::CommandTable commands_{{{"ask", std::nullopt}}};
  mutable std::atomic<int> replies_{0};
  mutable std::vector<std::chrono::steady_clock::time_point> replied_;  // worker thread only
};

/// A plan of one "ask" action that sleeps `sleep` between rounds.
inline plan::Plan ask_plan(std::chrono::nanoseconds sleep) {
  plan::Action ask;
  ask.command = "ask";
  ask.sleep_between_rounds = {sleep, sleep, false};
  ask.sleep_after_action = {0ns, 0ns, false};
  plan::Plan plan;
  plan.actions = {ask};
  return plan;
}

/// A config for one server at `address`, fast backoff, a 5 s timeout.
inline EngineConfig config_for(const SocketAddress& address) {
  EngineConfig config;
  config.servers = {ServerTarget{"test server", {address}, true}};
  config.backoff_min = 10ms;
  config.backoff_max = 100ms;
  config.timeout = 5s;
  config.seed = 1;
  return config;
}

/// Runs `connections` connections until `done` holds (or `limit` passes),
/// then stops; returns the recorder as it was when `done` held.
template <class Done>
stats::Recorder run_until(const EngineConfig& config, const plan::Plan& plan,
                          const protocol::Module& module, Done done, std::size_t connections = 1,
                          std::chrono::seconds limit = 10s) {
  Engine engine(config, plan, module);
  engine.start();
  engine.incr(connections);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  stats::Recorder seen = engine.snapshot();
  EXPECT_TRUE(engine.stop(5s));
  return seen;
}

inline std::uint64_t count(const stats::Recorder& r, stats::Reason reason) {
  return r.errors[static_cast<std::size_t>(reason)];
}

}  // namespace swarm::engine::testing
