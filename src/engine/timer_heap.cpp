#include "engine/timer_heap.hpp"

namespace swarm::engine {

void TimerHeap::arm(TimerNode& node, Clock::time_point deadline) {
  if (node.armed()) remove_at(node.heap_index_);
  node.deadline_ = deadline;
  nodes_.push_back(&node);
  node.heap_index_ = static_cast<std::uint32_t>(nodes_.size() - 1);
  sift_up(nodes_.size() - 1);
}

void TimerHeap::cancel(TimerNode& node) noexcept {
  if (node.armed()) remove_at(node.heap_index_);
}

std::size_t TimerHeap::fire_expired(Clock::time_point now) {
  std::size_t fired = 0;
  while (!nodes_.empty() && nodes_.front()->deadline_ <= now) {
    TimerNode* node = nodes_.front();
    remove_at(0);
    on_timer_(*node);  // may arm this or other nodes again
    ++fired;
  }
  return fired;
}

void TimerHeap::place(std::size_t index, TimerNode* node) noexcept {
  nodes_[index] = node;
  node->heap_index_ = static_cast<std::uint32_t>(index);
}

void TimerHeap::sift_up(std::size_t index) noexcept {
  TimerNode* node = nodes_[index];
  while (index > 0) {
    std::size_t parent = (index - 1) / 2;
    if (nodes_[parent]->deadline_ <= node->deadline_) break;
    place(index, nodes_[parent]);
    index = parent;
  }
  place(index, node);
}

void TimerHeap::sift_down(std::size_t index) noexcept {
  TimerNode* node = nodes_[index];
  const std::size_t count = nodes_.size();
  for (;;) {
    std::size_t child = 2 * index + 1;
    if (child >= count) break;
    if (child + 1 < count && nodes_[child + 1]->deadline_ < nodes_[child]->deadline_) ++child;
    if (node->deadline_ <= nodes_[child]->deadline_) break;
    place(index, nodes_[child]);
    index = child;
  }
  place(index, node);
}

void TimerHeap::remove_at(std::size_t index) noexcept {
  TimerNode* removed = nodes_[index];
  TimerNode* last = nodes_.back();
  nodes_.pop_back();
  removed->heap_index_ = TimerNode::kNotArmed;
  if (index == nodes_.size()) return;  // it was the last one
  place(index, last);
  if (index > 0 && nodes_[(index - 1) / 2]->deadline_ > last->deadline_) {
    sift_up(index);
  } else {
    sift_down(index);
  }
}

}  // namespace swarm::engine
