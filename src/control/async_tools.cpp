#include "control/async_tools.hpp"

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <cstddef>

namespace swarm::control {
namespace {

constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

/// The tasks still running, and the timer the waiter sleeps on until none.
struct Gathering {
  explicit Gathering(const asio::any_io_executor& executor, std::size_t count)
      : done(executor, asio::steady_timer::time_point::max()), remaining(count) {}
  asio::steady_timer done;  // cancelled when the last task ends
  std::size_t remaining;    // tasks not yet ended
};

}  // namespace

asio::awaitable<void> run_all(std::vector<asio::awaitable<void>> tasks) {
  if (tasks.empty()) co_return;
  const auto executor = co_await asio::this_coro::executor;
  auto gathering = std::make_shared<Gathering>(executor, tasks.size());
  for (auto& task : tasks) {
    asio::co_spawn(executor, std::move(task), [gathering](const std::exception_ptr&) {
      if (--gathering->remaining == 0) gathering->done.cancel();
    });
  }
  while (gathering->remaining > 0) co_await gathering->done.async_wait(use_nothrow);
}

asio::awaitable<TurnLock::Turn> TurnLock::take() {
  if (held_) {
    auto wake = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                     asio::steady_timer::time_point::max());
    queue_.push_back(wake);
    // release() hands the turn over by cancelling this timer (held_ stays set).
    co_await wake->async_wait(use_nothrow);
  }
  held_ = true;
  co_return Turn(this);
}

void TurnLock::release() {
  if (queue_.empty()) {
    held_ = false;
    return;
  }
  queue_.front()->cancel();
  queue_.pop_front();
}

}  // namespace swarm::control
