// A per-thread pool of coroutine frames, by size class. Connections suspend
// and resume the same few frame sizes all run long; keeping freed frames on a
// thread-local list makes a steady-state request allocate nothing and keeps
// memory with the worker that uses it.
#include <array>
#include <cstddef>
#include <cstdlib>
#include <new>

#include "swarm/task.hpp"

namespace swarm::detail {
namespace {

constexpr std::size_t kGranule = 16;    // size classes are multiples of this
constexpr std::size_t kLargest = 4096;  // larger frames go straight to malloc
constexpr std::size_t kClasses = kLargest / kGranule;
// Free frames kept per class. Enough for the frames a burst of requests
// needs; past it frames go back to malloc, so a burst of connects (each
// holding a connect frame for a moment) does not pin its peak for good.
constexpr std::size_t kKeptPerClass = 256;

struct FreeFrame {
  FreeFrame* next;  // the next free frame of the same class
};

/// Free frames of one thread; whatever is left at thread exit goes back.
class FramePool {
 public:
  ~FramePool() {
    for (FreeFrame* head : free_) {
      while (head != nullptr) {
        FreeFrame* next = head->next;
        std::free(head);
        head = next;
      }
    }
  }

  void* allocate(std::size_t size) {
    in_use_ += rounded(size);
    if (size > kLargest) return checked_malloc(size);
    std::size_t index = class_of(size);
    if (FreeFrame* frame = free_[index]) {
      free_[index] = frame->next;
      --kept_[index];
      return frame;
    }
    return checked_malloc((index + 1) * kGranule);
  }

  void deallocate(void* frame, std::size_t size) noexcept {
    in_use_ -= rounded(size);
    if (size > kLargest) return std::free(frame);
    std::size_t index = class_of(size);
    if (kept_[index] >= kKeptPerClass) return std::free(frame);
    ++kept_[index];
    free_[index] = new (frame) FreeFrame{free_[index]};
  }

  std::size_t in_use() const noexcept { return in_use_; }

 private:
  static std::size_t rounded(std::size_t size) {
    return size > kLargest ? size : (class_of(size) + 1) * kGranule;
  }
  static std::size_t class_of(std::size_t size) { return (size + kGranule - 1) / kGranule - 1; }
  static void* checked_malloc(std::size_t size) {
    void* memory = std::malloc(size);
    if (memory == nullptr) throw std::bad_alloc();
    return memory;
  }

  std::array<FreeFrame*, kClasses> free_{};   // one free list per size class
  std::array<std::size_t, kClasses> kept_{};  // length of each free list
  std::size_t in_use_ = 0;                    // bytes handed out, not returned
};

FramePool& this_thread_pool() {
  thread_local FramePool pool;
  return pool;
}

}  // namespace

void* frame_allocate(std::size_t size) {
  return this_thread_pool().allocate(size);
}

void frame_deallocate(void* frame, std::size_t size) noexcept {
  this_thread_pool().deallocate(frame, size);
}

std::size_t frame_bytes_in_use() noexcept {
  return this_thread_pool().in_use();
}

}  // namespace swarm::detail
