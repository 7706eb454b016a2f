// EventLoop: one worker's epoll loop, timers, deferred resumptions and the
// inbox of functions posted from other threads.
//
// Why not asio's reactor for the load: asio re-registers a descriptor with
// epoll_ctl on every async_wait, keeps ~200 bytes of per-descriptor state with
// a mutex, and wants a read buffer when a read starts. swarm needs sockets
// registered once (edge-triggered), readiness without a buffer (a connection
// waiting for a reply must hold none), and nothing shared between workers.
// This loop does exactly that and nothing more; asio still runs the console,
// name resolution and the demo server.
#pragma once

#include <sys/epoll.h>

#include <coroutine>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "engine/timer_heap.hpp"

namespace swarm::engine {

class EventLoop {
 public:
  /// Called with a watched descriptor's target and its epoll event bits.
  /// One handler per loop, not a virtual function per target: a worker's
  /// loop serves only connections, and a vtable pointer would cost each 8 B.
  using EventHandler = void (*)(void* target, std::uint32_t events);

  EventLoop(EventHandler on_events, TimerHeap::Handler on_timer);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// Runs until stop() has been called from this loop's own thread.
  void run();
  /// Makes run() return after the current round. Loop thread only.
  void stop() noexcept { stopping_ = true; }

  /// Queues `fn` to run on the loop's thread. Any thread.
  void post(std::function<void()> fn);

  /// Runs `fn` on the loop's thread every `period` (its upkeep: giving back
  /// what a burst took), idle or not. One upkeep per loop; set before run().
  void every(std::chrono::nanoseconds period, std::function<void()> fn);

  /// Resumes `handle` on this loop after the current round of events, so a
  /// wake-up never runs inside whoever caused it. Loop thread only.
  void defer(std::coroutine_handle<> handle) { ready_.push_back(handle); }

  /// Registers `fd` once, edge-triggered, for input, output and hang-up.
  /// Returns 0 or an errno value.
  int watch(int fd, void* target) noexcept;
  /// Asks epoll to report `fd` again if it is still ready (a fresh edge on
  /// the next round): for a reader that stopped before draining it, to let
  /// the others run. Returns 0 or an errno value.
  int rearm(int fd, void* target) noexcept;

  TimerHeap& timers() noexcept { return timers_; }
  /// The time read at the start of this round (cheap; good to a few µs).
  Clock::time_point now() const noexcept { return now_; }
  /// Reads the clock again (for latency measurement).
  Clock::time_point refresh_now() noexcept { return now_ = Clock::now(); }

 private:
  /// How long epoll may wait: until the earliest timer; negative: no limit.
  Clock::duration wait_timeout() const;
  /// Waits for events or the earliest timer; epoll_wait's result.
  int wait(epoll_event* events, int capacity);
  void drain_inbox();
  void resume_ready();

  EventHandler on_events_;                         // for events of watched targets
  int epoll_fd_ = -1;                              // the epoll set
  int wake_fd_ = -1;                               // eventfd: the inbox has work
  bool stopping_ = false;                          // run() returns after this round
  bool precise_ = true;                            // epoll_pwait2 works (Linux 5.11+)
  Clock::time_point now_;                          // clock at the start of the round
  TimerHeap timers_;                               // deadlines of this loop
  std::vector<std::coroutine_handle<>> ready_;     // to resume next round
  std::vector<std::coroutine_handle<>> resuming_;  // being resumed this round
  std::function<void()> upkeep_;                   // run every upkeep_period_
  Clock::duration upkeep_period_{};                // zero: no upkeep
  Clock::time_point next_upkeep_{};                // when upkeep_ runs next
  std::mutex inbox_mutex_;                         // guards inbox_ (the only lock)
  std::vector<std::function<void()>> inbox_;       // posted from other threads
};

}  // namespace swarm::engine
