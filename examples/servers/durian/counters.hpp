// Server-wide counts without a shared counter on the hot path: each worker
// thread owns one ThreadCounters (on its own cache line) and is its only
// writer; readers (the status line, the `stats` command) sum them all.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace durian {

// One worker's counts since start. Written only by that worker's thread.
struct alignas(64) ThreadCounters {
  std::atomic<std::uint64_t> accepted{0};  // connections accepted
  std::atomic<std::uint64_t> requests{0};  // request lines answered
  std::atomic<std::uint64_t> closed{0};    // connections closed (by either side)
  std::atomic<std::uint64_t> pushed{0};    // chat messages queued to other members
  std::atomic<std::uint64_t> dropped{0};   // chat messages dropped: the member did not read

  // Single writer: a plain load and store is enough (no locked instruction).
  // Release on the store so that a reader that sees a `closed` count also
  // sees the `accepted` count that came before it (current never goes < 0).
  static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }
};

// A sum over all workers at one moment (approximate: threads keep running).
struct Totals {
  std::uint64_t connections = 0;  // open now: accepted - closed
  std::uint64_t accepted = 0;     // since start
  std::uint64_t requests = 0;     // since start
  std::uint64_t closed = 0;       // since start
  std::uint64_t pushed = 0;       // since start: chat messages queued to members
  std::uint64_t dropped = 0;      // since start: chat messages dropped (client not reading)
};

// The counters of all worker threads.
class Counters {
 public:
  explicit Counters(std::size_t threads)
      : threads_(threads), counters_(std::make_unique<ThreadCounters[]>(threads)) {}

  ThreadCounters& of_thread(std::size_t index) { return counters_[index]; }

  Totals sum() const {
    Totals totals;
    for (std::size_t i = 0; i < threads_; ++i) {
      const ThreadCounters& c = counters_[i];
      // `closed` first (acquire): the `accepted` read after it is at least as new.
      totals.closed += c.closed.load(std::memory_order_acquire);
      totals.accepted += c.accepted.load(std::memory_order_acquire);
      totals.requests += c.requests.load(std::memory_order_relaxed);
      totals.pushed += c.pushed.load(std::memory_order_relaxed);
      totals.dropped += c.dropped.load(std::memory_order_relaxed);
    }
    totals.connections = totals.accepted - totals.closed;
    return totals;
  }

 private:
  std::size_t threads_;                         // number of workers
  std::unique_ptr<ThreadCounters[]> counters_;  // one per worker, cache-line aligned
};

}  // namespace durian
