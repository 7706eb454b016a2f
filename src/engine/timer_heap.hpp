// TimerHeap: a worker's deadlines, as an intrusive binary min-heap.
//
// Each connection embeds exactly one TimerNode (its sleep, its reply timeout
// or its connect timeout: never two at once), so arming and cancelling never
// allocate, and a million idle connections cost a million nodes of 16 bytes,
// not a million timer objects.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace swarm::engine {

using Clock = std::chrono::steady_clock;

/// Something that can wait for a deadline: derive from it. No virtual
/// functions (a vtable pointer would cost every connection 8 bytes): the heap
/// hands expired nodes to the one handler it was built with.
class TimerNode {
 public:
  static constexpr std::uint32_t kNotArmed = UINT32_MAX;

  bool armed() const noexcept { return heap_index_ != kNotArmed; }
  Clock::time_point deadline() const noexcept { return deadline_; }

 private:
  friend class TimerHeap;
  Clock::time_point deadline_{};          // when on_timer() is due
  std::uint32_t heap_index_ = kNotArmed;  // position in the heap, or kNotArmed
};

/// The min-heap of armed nodes, earliest deadline first. Single-threaded.
class TimerHeap {
 public:
  /// Called for a node whose deadline has passed; the node is disarmed.
  using Handler = void (*)(TimerNode& node);
  explicit TimerHeap(Handler on_timer) noexcept : on_timer_(on_timer) {}

  /// Arms `node` for `deadline` (re-arms it if already armed).
  void arm(TimerNode& node, Clock::time_point deadline);
  /// Disarms `node`; harmless when it is not armed.
  void cancel(TimerNode& node) noexcept;
  /// The earliest deadline, or nothing when the heap is empty.
  bool empty() const noexcept { return nodes_.empty(); }
  Clock::time_point earliest() const noexcept { return nodes_.front()->deadline_; }
  /// Disarms every node due at `now` and hands it to the handler. Returns
  /// how many fired.
  std::size_t fire_expired(Clock::time_point now);
  std::size_t size() const noexcept { return nodes_.size(); }
  /// Bytes the heap's array holds.
  std::size_t capacity_bytes() const noexcept { return nodes_.capacity() * sizeof(TimerNode*); }

 private:
  void place(std::size_t index, TimerNode* node) noexcept;
  void sift_up(std::size_t index) noexcept;
  void sift_down(std::size_t index) noexcept;
  void remove_at(std::size_t index) noexcept;

  Handler on_timer_;               // what to do with an expired node
  std::vector<TimerNode*> nodes_;  // the heap, nodes_[0] earliest
};

}  // namespace swarm::engine
