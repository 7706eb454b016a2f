// Two small tools for the controller's coroutines, all on one thread (the
// control thread's io_context): run several at once and wait for all, and
// take turns (commands that set the agents' shares must not interleave, or
// an older share could reach an agent after a newer one).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <vector>

namespace swarm::control {

/// Runs every task concurrently and returns once each has ended. The tasks
/// must not throw (each handles its own failures); one that does is ended.
asio::awaitable<void> run_all(std::vector<asio::awaitable<void>> tasks);

/// A first-come, first-served lock for coroutines on one thread.
class TurnLock {
 public:
  /// Held while it lives; the next in line goes on when it is gone.
  class Turn {
   public:
    explicit Turn(TurnLock* lock) : lock_(lock) {}
    Turn(Turn&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
    Turn& operator=(Turn&&) = delete;
    ~Turn() {
      if (lock_ != nullptr) lock_->release();
    }

   private:
    TurnLock* lock_;  // released at destruction (null: moved from)
  };

  /// Waits for the turn: at once when nobody holds it.
  asio::awaitable<Turn> take();

 private:
  void release();

  bool held_ = false;                                      // someone's turn now
  std::deque<std::shared_ptr<asio::steady_timer>> queue_;  // waiting, first first
};

}  // namespace swarm::control
