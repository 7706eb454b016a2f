// What a command costs once warm: no C++ heap allocation per request, and
// the Lua heap does not grow. Counts allocations by replacing operator new
// for this test binary.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "builtin_fixture.hpp"
#include "lua_fixture.hpp"

namespace {
std::size_t allocations = 0;  // operator new calls so far, in this binary
}  // namespace

// GCC 12 with -fsanitize=thread inlines these replacements and then warns
// that the free() below does not match the operator new (it does: both are
// these): -Wmismatched-new-delete is a false alarm here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

void* operator new(std::size_t size) {
  ++allocations;
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept {
  std::free(memory);
}
void operator delete(void* memory, std::size_t) noexcept {
  std::free(memory);
}
// The nothrow forms too (std::stable_sort's buffer): every new in this binary
// must pair with the delete above.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void operator delete(void* memory, const std::nothrow_t&) noexcept {
  std::free(memory);
}

namespace swarm::protocol {
namespace {

/// Answers every request with "+PONG\r\n", synchronously, keeping nothing.
class PongClient final : public Client {
 public:
  std::uint64_t id() const noexcept override { return 1; }
  Task<Reply> send_for_reply(std::string_view, ReplyParser& parser) override {
    parser.begin();
    ReplyParser::Step step = parser.feed(kPong);
    co_return Reply{step.state == ReplyParser::State::done ? IoStatus::ok : IoStatus::timeout,
                    kPong.substr(0, step.consumed)};
  }
  Task<IoStatus> send_noreply(std::string_view) override { co_return IoStatus::ok; }
  Task<IoStatus> send_pipelined(std::string_view, std::uint32_t) override {
    co_return IoStatus::ok;
  }
  Task<Reply> read_reply(ReplyParser& parser) override { return send_for_reply({}, parser); }
  Task<Reply> receive(ReplyParser& parser) override { return send_for_reply({}, parser); }
  IoStatus send_now(std::string_view) override { return IoStatus::ok; }
  void close_connection() noexcept override {}
  Task<IoStatus> sleep(std::chrono::nanoseconds) override { co_return IoStatus::ok; }
  void* connection_state() noexcept override { return nullptr; }
  std::uint64_t random() noexcept override { return 4; }
  void count_reply(std::string_view, bool) override {}
  void count_received(std::string_view, std::int64_t) override {}
  std::string_view server_name() const noexcept override { return "localhost:6379"; }
  void end_connection(std::string_view, std::string_view) override {}

 private:
  static constexpr std::string_view kPong = "+PONG\r\n";  // the only reply
};

constexpr const char* kPing = R"lua(local swarm = require("swarm")
return {
  ping = function(client, args)
    local reply = client:send_for_reply("PING\r\n", swarm.reply_parser_resp())
    if reply ~= "+PONG\r\n" then error("unexpected " .. reply) end
    client.state.count = (client.state.count or 0) + args.step
  end,
}
)lua";

class LuaSteadyStateTest : public testing::LuaTest {};

TEST_F(LuaSteadyStateTest, WarmCommandsAllocateNothing) {
  auto lua = instance(kPing, {testing::action("ping", {{"step", plan::Value{std::int64_t{1}}}})});
  PongClient client;
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(testing::run_now(*lua, 0, client).kind, CommandOutcome::Kind::ok);
  std::size_t before = allocations;
  constexpr int kRuns = 100000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) testing::run_now(*lua, 0, client);
  std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(allocations - before, 0u);
  EXPECT_EQ(lua->coroutines_created(), 1u);
  std::printf("one Lua command with one request: %.0f ns\n", took.count() / kRuns);
}

class BuiltinSteadyStateTest : public testing::BuiltinTest {};

TEST_F(BuiltinSteadyStateTest, WarmBuiltInCommandsAllocateNothing) {
  // Substitutions, a value made of substitutions, and a pipeline: rendered
  // into a pooled buffer, framed without copies.
  instance(R"(protocol: redis
actions:
  - command: set
    args: {key: "user:{id}:{rand:1-100000}", value: "v{seq}"}
  - command: get
    args: {key: "user:{seq}", pipeline: 4}
)");
  testing::FakeClient client;
  client.record = false;  // the fake itself would allocate copies
  client.incoming.assign("+OK\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n$-1\r\n");
  auto runs = [&](int count) {
    for (int i = 0; i < count; ++i) {
      client.reset_reading();
      ASSERT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
      ASSERT_EQ(run(1, client).kind, CommandOutcome::Kind::ok);
    }
  };
  runs(100);
  std::size_t before = allocations;
  auto start = std::chrono::steady_clock::now();
  constexpr int kRuns = 20000;
  runs(kRuns);
  std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(allocations - before, 0u);
  std::printf("two built-in redis commands (5 requests): %.0f ns\n", took.count() / kRuns);
}

}  // namespace
}  // namespace swarm::protocol
