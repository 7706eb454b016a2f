// A per-thread pool of coroutine frames (and other small, long-lived objects
// such as connections), by size class, carved from slabs.
//
// Connections suspend and resume the same few frame sizes all run long.
// Keeping freed frames on a thread-local list makes a steady-state request
// allocate nothing; carving them from 64 KiB slabs means no malloc header per
// frame and no holes between a connection's long-lived frames and the
// short-lived ones of its requests (each size reuses its own slabs).
#include <array>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

#include "swarm/task.hpp"

namespace swarm::detail {
namespace {

constexpr std::size_t kGranule = 16;    // size classes are multiples of this
constexpr std::size_t kLargest = 4096;  // larger frames go straight to malloc
constexpr std::size_t kClasses = kLargest / kGranule;
constexpr std::size_t kSlabBytes = 64 * 1024;  // memory carved at once for a class

struct FreeFrame {
  FreeFrame* next;  // the next free frame of the same class
};

/// Free frames of one thread; its slabs go back to the system at thread exit.
class FramePool {
 public:
  FramePool() = default;
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;
  ~FramePool() {
    for (void* slab : slabs_) std::free(slab);
  }

  void* allocate(std::size_t size) {
    in_use_ += rounded(size);
    if (size > kLargest) return checked_malloc(size);
    std::size_t index = class_of(size);
    if (free_[index] == nullptr) carve(index);
    FreeFrame* frame = free_[index];
    free_[index] = frame->next;
    return frame;
  }

  void deallocate(void* frame, std::size_t size) noexcept {
    in_use_ -= rounded(size);
    if (size > kLargest) return std::free(frame);
    std::size_t index = class_of(size);
    free_[index] = new (frame) FreeFrame{free_[index]};
  }

  std::size_t in_use() const noexcept { return in_use_; }

 private:
  static std::size_t class_of(std::size_t size) { return (size + kGranule - 1) / kGranule - 1; }
  static std::size_t rounded(std::size_t size) {
    return size > kLargest ? size : (class_of(size) + 1) * kGranule;
  }
  static void* checked_malloc(std::size_t size) {
    void* memory = std::malloc(size);
    if (memory == nullptr) throw std::bad_alloc();
    return memory;
  }

  /// Fills the free list of class `index` from a new slab.
  void carve(std::size_t index) {
    const std::size_t frame_bytes = (index + 1) * kGranule;
    const std::size_t count = kSlabBytes / frame_bytes;
    slabs_.reserve(slabs_.size() + 1);
    auto* slab = static_cast<std::byte*>(checked_malloc(count * frame_bytes));
    slabs_.push_back(slab);
    for (std::size_t i = count; i-- > 0;) {
      free_[index] = new (slab + i * frame_bytes) FreeFrame{free_[index]};
    }
  }

  std::array<FreeFrame*, kClasses> free_{};  // one free list per size class
  std::vector<void*> slabs_;                 // every slab carved, for the end
  std::size_t in_use_ = 0;                   // bytes handed out, not returned
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
