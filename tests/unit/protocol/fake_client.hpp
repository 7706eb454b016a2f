// An in-memory swarm::Client for tests: replies come from a scripted byte
// stream, fed to the parser in chunks of a chosen size the way the engine
// feeds it from its read-ahead buffer. Calls complete without suspending,
// unless `pause_after` asks send_for_reply() to stop midway until resume().
#pragma once

#include <array>
#include <chrono>
#include <coroutine>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "swarm/client.hpp"

namespace swarm::protocol::testing {

class FakeClient final : public Client {
 public:
  explicit FakeClient(std::uint64_t id = 1) : id_(id) {}

  std::uint64_t id() const noexcept override { return id_; }

  Task<Reply> send_for_reply(std::string_view request, ReplyParser& parser) override {
    if (record) sent.emplace_back(request);
    co_return co_await read_reply(parser);
  }

  Task<IoStatus> send_pipelined(std::string_view requests, std::uint32_t count) override {
    if (record) sent.emplace_back(requests);
    if (record) pipelined.push_back(count);
    co_return fail_next ? *std::exchange(fail_next, std::nullopt) : IoStatus::ok;
  }

  Task<Reply> receive(ReplyParser& parser) override {
    ++receives;
    co_return co_await read_reply(parser);
  }

  Task<Reply> read_reply(ReplyParser& parser) override {
    if (fail_next) co_return Reply{*std::exchange(fail_next, std::nullopt), {}};
    parser.begin();
    std::size_t start = read_;
    ReplyParser::State state = feed(parser, pause_after.value_or(incoming.size()));
    if (state == ReplyParser::State::need_more && pause_after) {
      pause_after.reset();
      co_await Pause{&paused_};
      state = feed(parser, incoming.size());
    }
    if (state == ReplyParser::State::invalid) co_return Reply{IoStatus::protocol_error, {}};
    if (state == ReplyParser::State::need_more) co_return Reply{IoStatus::timeout, {}};
    reply_ = incoming.substr(start, read_ - start);
    co_return Reply{IoStatus::ok, reply_};
  }

  Task<IoStatus> send_noreply(std::string_view request) override {
    noreplies.emplace_back(request);
    co_return fail_next ? *std::exchange(fail_next, std::nullopt) : IoStatus::ok;
  }

  void close_connection() noexcept override { ++closes; }

  Task<IoStatus> sleep(std::chrono::nanoseconds duration) override {
    sleeps.push_back(duration);
    co_return IoStatus::ok;
  }

  IoStatus send_now(std::string_view bytes) override {
    sent_now.emplace_back(bytes);
    return IoStatus::ok;
  }
  void* connection_state() noexcept override { return connection_memory.data(); }
  std::uint64_t random() noexcept override { return next_random++; }
  void count_reply(std::string_view kind, bool error) override {
    if (record) kinds.emplace_back(std::string(kind) + (error ? "!" : ""));
  }
  void count_received(std::string_view topic, std::int64_t sent_unix_ns) override {
    received.emplace_back(topic, sent_unix_ns);
  }
  std::string_view server_name() const noexcept override { return server; }

  void end_connection(std::string_view kind, std::string_view message) override {
    ended.emplace_back(std::string(kind) + " " + std::string(message));
  }

  /// Reads `incoming` from its start again.
  void reset_reading() { read_ = 0; }

  /// Resumes a send_for_reply() stopped by `pause_after`.
  void resume() { std::exchange(paused_, {}).resume(); }
  bool paused() const { return static_cast<bool>(paused_); }

  std::string incoming;                    // bytes "from the server"
  std::string server = "localhost:8080";   // server_name()
  bool record = true;                      // keep what is sent and counted
  std::size_t chunk = 1 << 20;             // feed at most this many bytes at once
  std::optional<std::size_t> pause_after;  // next reply: stop after this offset
  std::optional<IoStatus> fail_next;       // the next call fails with this
  std::vector<std::string> sent;           // send_for_reply / send_pipelined requests
  std::vector<std::uint32_t> pipelined;    // send_pipelined counts
  std::vector<std::string> sent_now;       // send_now bytes
  std::vector<std::string> kinds;          // count_reply kinds ("-ERR!" for errors)
  std::vector<std::pair<std::string, std::int64_t>> received;  // count_received
  std::array<std::uint64_t, 8> connection_memory{};            // connection_state(), zeroed
  std::uint64_t next_random = 0;                               // random() returns 0, 1, 2, ...
  int receives = 0;                                            // receive() calls
  std::vector<std::string> noreplies;                          // send_noreply requests
  std::vector<std::chrono::nanoseconds> sleeps;                // sleep durations
  int closes = 0;                                              // close_connection() calls
  std::vector<std::string> ended;                              // end_connection(): "kind message"

 private:
  struct Pause {
    std::coroutine_handle<>* slot;  // where to leave the handle
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> handle) const noexcept { *slot = handle; }
    void await_resume() const noexcept {}
  };

  /// Feeds incoming bytes up to offset `until`, in chunks.
  ReplyParser::State feed(ReplyParser& parser, std::size_t until) {
    while (read_ < until) {
      std::size_t size = std::min(chunk, until - read_);
      ReplyParser::Step step = parser.feed(std::string_view(incoming).substr(read_, size));
      read_ += step.consumed;
      if (step.state != ReplyParser::State::need_more) return step.state;
    }
    return ReplyParser::State::need_more;
  }

  std::uint64_t id_;                // client.id
  std::size_t read_ = 0;            // bytes of incoming already consumed
  std::string reply_;               // the last reply, viewed by Reply::data
  std::coroutine_handle<> paused_;  // a stopped send_for_reply()
};

}  // namespace swarm::protocol::testing
