#include "engine/timer_heap.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace swarm::engine {
namespace {

struct Recorded : TimerNode {
  std::vector<int>* fired = nullptr;  // where the handler writes our id
  int id = 0;                         // this node's number
};

void record(TimerNode& node) {
  auto& recorded = static_cast<Recorded&>(node);
  recorded.fired->push_back(recorded.id);
}

Clock::time_point at(int ms) {
  return Clock::time_point{} + std::chrono::milliseconds(ms);
}

TEST(TimerHeap, FiresInDeadlineOrderAndOnlyWhenDue) {
  std::vector<int> fired;
  std::vector<Recorded> nodes(200);
  TimerHeap heap(record);
  std::mt19937 random(7);
  std::vector<int> deadline(nodes.size());
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    nodes[i].fired = &fired;
    nodes[i].id = static_cast<int>(i);
    deadline[i] = static_cast<int>(random() % 1000);
    heap.arm(nodes[i], at(deadline[i]));
  }
  EXPECT_EQ(heap.fire_expired(at(-1)), 0u);
  heap.fire_expired(at(500));
  for (int id : fired) EXPECT_LE(deadline[id], 500);
  for (std::size_t i = 1; i < fired.size(); ++i)
    EXPECT_LE(deadline[fired[i - 1]], deadline[fired[i]]);
  heap.fire_expired(at(1000));
  EXPECT_EQ(fired.size(), nodes.size());
  EXPECT_TRUE(heap.empty());
}

TEST(TimerHeap, CancelAndRearmKeepTheHeapValid) {
  std::vector<int> fired;
  std::vector<Recorded> nodes(100);
  TimerHeap heap(record);
  std::mt19937 random(11);
  std::vector<int> deadline(nodes.size(), -1);
  for (int round = 0; round < 2000; ++round) {
    auto& node = nodes[random() % nodes.size()];
    node.fired = &fired;
    node.id = static_cast<int>(&node - nodes.data());
    if (random() % 3 == 0) {
      heap.cancel(node);
      deadline[node.id] = -1;
    } else {
      deadline[node.id] = static_cast<int>(random() % 10000);
      heap.arm(node, at(deadline[node.id]));
    }
  }
  std::size_t armed = std::count_if(deadline.begin(), deadline.end(), [](int d) { return d >= 0; });
  EXPECT_EQ(heap.size(), armed);
  heap.fire_expired(at(10000));
  ASSERT_EQ(fired.size(), armed);
  for (std::size_t i = 1; i < fired.size(); ++i)
    EXPECT_LE(deadline[fired[i - 1]], deadline[fired[i]]);
  for (auto& node : nodes) EXPECT_FALSE(node.armed());
}

TEST(TimerHeap, CancelOfAnUnarmedNodeIsHarmless) {
  Recorded node;
  TimerHeap heap(record);
  heap.cancel(node);
  EXPECT_TRUE(heap.empty());
}

}  // namespace
}  // namespace swarm::engine
