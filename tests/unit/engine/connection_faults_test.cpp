// Servers that misbehave, over real loopback sockets: each failure is seen
// at once, counted under its own reason, and the connection reconnects.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <tuple>

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

/// Reads one request, then sends `reply` and waits for the next request.
PeerServer::Serve answer_with(std::string reply) {
  return [reply = std::move(reply)](int client, const std::atomic<bool>& stopping) {
    while (PeerServer::read_line(client, stopping)) {
      if (!PeerServer::send_all(client, reply)) return;
    }
  };
}

/// Reads one request, then sends `chunk` over and over until the peer goes.
PeerServer::Serve stream_endlessly(std::string chunk) {
  return [chunk = std::move(chunk)](int client, const std::atomic<bool>& stopping) {
    if (!PeerServer::read_line(client, stopping)) return;
    while (!stopping && PeerServer::send_all(client, chunk)) {
    }
  };
}

TEST(ConnectionFaultsTest, AnEndlessReplyStopsAtMaxReply) {
  PeerServer server(stream_endlessly(std::string(16 * 1024, 'x')));
  testing::AskLineModule module;
  EngineConfig config = testing::config_for(server.address());
  config.timeout = 30s;
  config.max_reply = 1 << 20;
  stats::Recorder seen = testing::run_until(config, testing::ask_plan(0ns), module,
                                            [&] { return server.accepted() >= 4; });
  EXPECT_GE(server.accepted(), 4);  // each was closed, and the connection came back
  EXPECT_GE(count(seen, Reason::reply_too_large), 3u);
  EXPECT_EQ(count(seen, Reason::timeout), 0u);
  EXPECT_LE(seen.memory.spill, 3u << 20);  // one reply's worth, not the stream's
}

TEST(ConnectionFaultsTest, ARepliesOverMaxReplyFailsAndOneUnderItPasses) {
  // A 5000-byte reply read whole in one read is over a 4000-byte limit; the
  // same reply passes a 6000-byte one. Also across reads: 3 MiB vs 1 MiB.
  struct Case {
    std::size_t size, limit;
    bool fails;
  };
  for (Case c : {Case{5000, 4000, true}, Case{5000, 6000, false}, Case{3 << 20, 1 << 20, true},
                 Case{3 << 20, 4 << 20, false}}) {
    SCOPED_TRACE(std::to_string(c.size) + " bytes, limit " + std::to_string(c.limit));
    PeerServer server(answer_with(std::string(c.size - 2, 'y') + "\r\n"));
    testing::AskLineModule module;
    EngineConfig config = testing::config_for(server.address());
    config.max_reply = c.limit;
    stats::Recorder seen = testing::run_until(config, testing::ask_plan(0ns), module, [&] {
      return c.fails ? server.accepted() >= 3 : module.replies() >= 3;
    });
    if (c.fails) {
      EXPECT_GE(count(seen, Reason::reply_too_large), 2u);
      EXPECT_EQ(module.replies(), 0);
    } else {
      EXPECT_EQ(count(seen, Reason::reply_too_large), 0u);
      EXPECT_GE(module.replies(), 3);
      EXPECT_EQ(server.accepted(), 1);
    }
  }
}

TEST(ConnectionFaultsTest, AServerThatKeepsSendingDoesNotDelayTheOthers) {
  // One worker, two connections: one reads a reply that never ends (no
  // limit) from a server faster than its reader (each read is parsed in
  // 1 ms), so its socket is never drained; the other asks and gets answers
  // all the while, because reading stops for the others after a few reads.
  std::atomic<std::int64_t> stream_started{0}, stream_ended{0};
  PeerServer flood([&](int client, const std::atomic<bool>& stopping) {
    if (!PeerServer::read_line(client, stopping)) return;
    const std::string chunk(64 * 1024, 'z');
    stream_started = std::chrono::steady_clock::now().time_since_epoch().count();
    for (int i = 0; i < 300 && !stopping && PeerServer::send_all(client, chunk); ++i) {
    }
    stream_ended = std::chrono::steady_clock::now().time_since_epoch().count();
    while (!stopping && PeerServer::readable(client, 20) == false) {
    }
  });
  PeerServer quick(answer_with("+OK\r\n"));
  testing::AskLineModule module("ask\r\n", 1ms);
  EngineConfig config = testing::config_for(flood.address());
  config.servers.push_back(ServerTarget{"quick", {quick.address()}, true});
  config.max_reply = 0;
  config.rcvbuf = 0;  // the kernel's: reads come back full
  config.timeout = 30s;
  testing::run_until(
      config, testing::ask_plan(0ns), module, [&] { return stream_ended != 0; }, 2);
  ASSERT_NE(stream_ended.load(), 0);
  using Time = std::chrono::steady_clock::time_point;
  const Time from{std::chrono::steady_clock::duration(stream_started.load())};
  const Time to{std::chrono::steady_clock::duration(stream_ended.load())};
  int during = 0;
  for (Time when : module.replied()) during += when > from && when < to ? 1 : 0;
  EXPECT_GE(during, 20) << "replies on the other connection while the stream ran for "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count()
                        << " ms";
}

/// Rejects every reply: "not a reply: <first byte>".
class RejectingParser final : public ReplyParser {
 public:
  void begin() override {}
  Step feed(std::string_view data) override {
    first_ = data.front();
    return {0, State::invalid};
  }
  std::string error() const override { return std::string("not a reply: ") + first_; }

 private:
  char first_ = 0;
};

/// "ask" with a parser that rejects everything; with `raises`, the module
/// then raises, as a Lua parser function that failed makes it do.
class RejectingModule final : public protocol::Module {
 public:
  explicit RejectingModule(bool raises) : raises_(raises) {}
  const std::string& name() const override { return name_; }
  const protocol::CommandTable& commands() const override { return commands_; }
  std::unique_ptr<protocol::ModuleInstance> instantiate(const plan::Plan&) const override {
    return std::make_unique<Instance>(raises_);
  }

 private:
  class Instance final : public protocol::ModuleInstance {
   public:
    explicit Instance(bool raises) : raises_(raises) {}
    Task<protocol::CommandOutcome> run(std::size_t, Client& client) override {
      Reply reply = co_await client.send_for_reply("ask\r\n", parser_);
      if (reply.status == IoStatus::ok || !raises_) co_return protocol::CommandOutcome{};
      co_return protocol::CommandOutcome{protocol::CommandOutcome::Kind::script_error,
                                         "ask: the parser raised"};
    }

   private:
    bool raises_;
    RejectingParser parser_;
  };

  bool raises_;
  std::string name_ = "ask";
  protocol::CommandTable commands_{{{"ask", std::nullopt}}};
};

TEST(ConnectionFaultsTest, AFailedReplyIsCountedOnceUnderOneReason) {
  for (bool raises : {false, true}) {
    SCOPED_TRACE(raises ? "the module's parser raised" : "the parser rejected the bytes");
    PeerServer server(answer_with("junk\r\n"));
    RejectingModule module(raises);
    stats::Recorder seen =
        testing::run_until(testing::config_for(server.address()), testing::ask_plan(0ns), module,
                           [&] { return server.accepted() >= 3; });
    const Reason reason = raises ? Reason::script_error : Reason::protocol_error;
    const Reason other = raises ? Reason::protocol_error : Reason::script_error;
    EXPECT_GE(count(seen, reason), 2u);
    EXPECT_EQ(count(seen, other), 0u);
    ASSERT_EQ(seen.script_errors.size(), 1u);  // one message
    EXPECT_EQ(seen.script_errors.begin()->first,
              raises ? "ask: the parser raised" : "ask: protocol error: not a reply: j");
    EXPECT_EQ(seen.script_errors.begin()->second, count(seen, reason));
    // Each failure ended its TCP connection (the stream was out of step).
    EXPECT_EQ(seen.ended[static_cast<std::size_t>(reason)] + seen.open + seen.dialing,
              seen.connect_attempts);
  }
}

}  // namespace
}  // namespace swarm::engine
