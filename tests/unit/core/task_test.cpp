#include "swarm/task.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace swarm {
namespace {

/// A hand-driven suspension point: the test decides when it resumes.
struct Gate {
  std::coroutine_handle<> waiting;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> handle) noexcept { waiting = handle; }
  void await_resume() const noexcept {}
  void open() { std::exchange(waiting, {}).resume(); }
};

Task<int> add_after(Gate& gate, int a, int b) {
  co_await gate;
  co_return a + b;
}

Task<int> twice(Gate& gate) {
  int first = co_await add_after(gate, 1, 2);
  int second = co_await add_after(gate, first, 10);
  co_return second;
}

Task<int> throws() {
  throw std::runtime_error("boom");
  co_return 0;
}

Task<void> store(Task<int> task, int& out, std::string& error) {
  try {
    out = co_await std::move(task);
  } catch (const std::exception& caught) {
    error = caught.what();
  }
}

TEST(Task, IsLazyAndPassesValuesThroughNestedAwaits) {
  Gate gate;
  int result = 0;
  std::string error;
  spawn(store(twice(gate), result, error));
  EXPECT_EQ(result, 0);  // suspended at the first gate
  gate.open();
  EXPECT_EQ(result, 0);  // suspended at the second gate
  gate.open();
  EXPECT_EQ(result, 13);
  EXPECT_TRUE(error.empty());
}

TEST(Task, ExceptionsReachTheAwaiter) {
  int result = -1;
  std::string error;
  spawn(store(throws(), result, error));
  EXPECT_EQ(error, "boom");
  EXPECT_EQ(result, -1);
}

Task<int> count_down(int n) {
  if (n == 0) co_return 0;
  co_return 1 + co_await count_down(n - 1);
}

TEST(Task, DeepChainsCompleteWithoutGrowingTheStack) {
  int result = 0;
  std::string error;
  spawn(store(count_down(10000), result, error));
  EXPECT_EQ(result, 10000);
}

TEST(Task, FramesAreReusedFromThePool) {
  void* first = detail::frame_allocate(200);
  detail::frame_deallocate(first, 200);
  void* second = detail::frame_allocate(200);
  EXPECT_EQ(first, second);
  detail::frame_deallocate(second, 200);
}

TEST(Task, ThePoolCountsBytesInUseAndReusesEveryClass) {
  const std::size_t before = detail::frame_bytes_in_use();
  std::vector<std::pair<void*, std::size_t>> frames;
  for (std::size_t size = 1; size <= 5000; size += 37) {
    frames.emplace_back(detail::frame_allocate(size), size);
    std::memset(frames.back().first, 0xab, size);  // the whole frame is usable
  }
  EXPECT_GT(detail::frame_bytes_in_use(), before);
  for (auto [frame, size] : frames) detail::frame_deallocate(frame, size);
  EXPECT_EQ(detail::frame_bytes_in_use(), before);
  // Freed frames come back before new slabs are carved.
  void* again = detail::frame_allocate(frames.front().second);
  EXPECT_EQ(again, frames.front().first);
  detail::frame_deallocate(again, frames.front().second);
}

}  // namespace
}  // namespace swarm
