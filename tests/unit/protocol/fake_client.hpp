// An in-memory swarm::Client for tests: replies come from a scripted byte
// stream, fed to the parser in chunks of a chosen size the way the engine
// feeds it from its read-ahead buffer. Calls complete without suspending,
// unless `pause_after` asks send_for_reply() to stop midway until resume().
#pragma once

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
    sent.emplace_back(request);
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

  /// Resumes a send_for_reply() stopped by `pause_after`.
  void resume() { std::exchange(paused_, {}).resume(); }
  bool paused() const { return static_cast<bool>(paused_); }

  std::string incoming;                          // bytes "from the server"
  std::size_t chunk = 1 << 20;                   // feed at most this many bytes at once
  std::optional<std::size_t> pause_after;        // next reply: stop after this offset
  std::optional<IoStatus> fail_next;             // the next call fails with this
  std::vector<std::string> sent;                 // send_for_reply requests
  std::vector<std::string> noreplies;            // send_noreply requests
  std::vector<std::chrono::nanoseconds> sleeps;  // sleep durations
  int closes = 0;                                // close_connection() calls

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
