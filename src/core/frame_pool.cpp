// A per-thread pool of coroutine frames (and other small, long-lived objects
// such as connections), by size class, carved from slabs.
//
// Connections suspend and resume the same few frame sizes all run long.
// Keeping freed frames on a thread-local list makes a steady-state request
// allocate nothing; carving them from 64 KiB slabs means no malloc header per
// frame and no holes between a connection's long-lived frames and the
// short-lived ones of its requests (each size reuses its own slabs).
//
// Slabs are mapped straight from the kernel, aligned to their size, so a
// frame finds its slab's head by masking its address, and each slab counts
// the frames it has handed out. A burst (thousands of connects and first
// requests at once) carves many slabs whose frames are all free again soon
// after: trim() gives those slabs back (munmap), keeping what the busiest
// recent moment needed.
#include "core/frame_pool.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
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

/// The start of every slab: what trim() needs to know about it.
struct alignas(kGranule) SlabHead {
  std::uint32_t used = 0;  // frames handed out
  bool releasing = false;  // chosen by trim() to go back to the system
};

SlabHead* slab_of(void* frame) noexcept {
  return reinterpret_cast<SlabHead*>(reinterpret_cast<std::uintptr_t>(frame) & ~(kSlabBytes - 1));
}

/// kSlabBytes of fresh memory aligned to kSlabBytes, from the kernel.
void* map_slab() {
  // Map twice the size and keep the aligned part: mmap only promises pages.
  void* raw =
      ::mmap(nullptr, 2 * kSlabBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const auto aligned = (start + kSlabBytes - 1) & ~(kSlabBytes - 1);
  if (aligned > start) ::munmap(raw, aligned - start);
  const auto end = start + 2 * kSlabBytes;
  if (end > aligned + kSlabBytes) {
    ::munmap(reinterpret_cast<void*>(aligned + kSlabBytes), end - aligned - kSlabBytes);
  }
  return reinterpret_cast<void*>(aligned);
}

/// One size class: its free frames and how many are handed out.
struct SizeClass {
  FreeFrame* free = nullptr;    // free frames, any slab
  std::size_t free_count = 0;   // frames on `free`
  std::size_t used = 0;         // frames handed out now
  std::size_t peak = 0;         // most handed out recently (decays at each trim)
  std::size_t empty_slabs = 0;  // slabs with no frame handed out
};

/// Free frames of one thread; its slabs go back to the system at thread exit.
class FramePool {
 public:
  FramePool() = default;
  FramePool(const FramePool&) = delete;
  FramePool& operator=(const FramePool&) = delete;
  ~FramePool() {
    for (SlabHead* slab : slabs_) ::munmap(slab, kSlabBytes);
  }

  void* allocate(std::size_t size) {
    in_use_ += rounded(size);
    if (size > kLargest) return checked_malloc(size);
    const std::size_t index = class_of(size);
    SizeClass& c = classes_[index];
    if (c.free == nullptr) carve(index);
    FreeFrame* frame = c.free;
    c.free = frame->next;
    --c.free_count;
    if (slab_of(frame)->used++ == 0) --c.empty_slabs;
    c.peak = std::max(c.peak, ++c.used);
    return frame;
  }

  void deallocate(void* frame, std::size_t size) noexcept {
    in_use_ -= rounded(size);
    if (size > kLargest) return std::free(frame);
    SizeClass& c = classes_[class_of(size)];
    if (--slab_of(frame)->used == 0) ++c.empty_slabs;
    --c.used;
    c.free = new (frame) FreeFrame{c.free};
    ++c.free_count;
  }

  std::size_t trim() noexcept;

  std::size_t in_use() const noexcept { return in_use_; }
  std::size_t reserved() const noexcept { return slabs_.size() * kSlabBytes; }

 private:
  static std::size_t class_of(std::size_t size) { return (size + kGranule - 1) / kGranule - 1; }
  static std::size_t rounded(std::size_t size) {
    return size > kLargest ? size : (class_of(size) + 1) * kGranule;
  }
  static std::size_t frames_per_slab(std::size_t index) {
    return (kSlabBytes - sizeof(SlabHead)) / ((index + 1) * kGranule);
  }
  static void* checked_malloc(std::size_t size) {
    void* memory = std::malloc(size);
    if (memory == nullptr) throw std::bad_alloc();
    return memory;
  }

  void carve(std::size_t index);
  std::size_t release_empty_slabs(SizeClass& c, std::size_t count) noexcept;

  std::array<SizeClass, kClasses> classes_{};  // by size
  std::vector<SlabHead*> slabs_;               // every slab held, for trim() and the end
  std::size_t in_use_ = 0;                     // bytes handed out, not returned
};

void FramePool::carve(std::size_t index) {
  const std::size_t frame_bytes = (index + 1) * kGranule;
  const std::size_t count = frames_per_slab(index);
  slabs_.reserve(slabs_.size() + 1);
  auto* slab = new (map_slab()) SlabHead{};
  slabs_.push_back(slab);
  auto* first = reinterpret_cast<std::byte*>(slab) + sizeof(SlabHead);
  SizeClass& c = classes_[index];
  for (std::size_t i = count; i-- > 0;) c.free = new (first + i * frame_bytes) FreeFrame{c.free};
  c.free_count += count;
  ++c.empty_slabs;
}

std::size_t FramePool::trim() noexcept {
  std::size_t released = 0;
  for (std::size_t index = 0; index < kClasses; ++index) {
    SizeClass& c = classes_[index];
    // Keep free frames for the busiest recent moment, and one slab more so
    // that a class hovering at a slab's edge does not map and unmap.
    const std::size_t per_slab = frames_per_slab(index);
    const std::size_t keep = c.peak - c.used + per_slab;
    const std::size_t spare = c.free_count > keep ? (c.free_count - keep) / per_slab : 0;
    const std::size_t count = std::min(spare, c.empty_slabs);
    if (count > 0) released += release_empty_slabs(c, count);
    // The need remembered halves at each trim: what a burst took goes back
    // within a few trims, while a need that comes back every trim stays.
    c.peak = c.used + (c.peak - c.used) / 2;
  }
  if (released > 0) {
    std::erase_if(slabs_, [](SlabHead* slab) {
      if (!slab->releasing) return false;
      ::munmap(slab, kSlabBytes);
      return true;
    });
  }
  return released;
}

std::size_t FramePool::release_empty_slabs(SizeClass& c, std::size_t count) noexcept {
  // Pick `count` empty slabs as their frames come up in the free list, and
  // drop those frames from it; the slabs are unmapped by the caller.
  std::size_t chosen = 0;
  FreeFrame** link = &c.free;
  while (FreeFrame* frame = *link) {
    SlabHead* slab = slab_of(frame);
    if (slab->used == 0 && !slab->releasing && chosen < count) {
      slab->releasing = true;
      ++chosen;
    }
    if (slab->releasing) {
      *link = frame->next;
      --c.free_count;
    } else {
      link = &frame->next;
    }
  }
  c.empty_slabs -= chosen;
  return chosen * kSlabBytes;
}

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

std::size_t frame_pool_trim() noexcept {
  return this_thread_pool().trim();
}

std::size_t frame_bytes_reserved() noexcept {
  return this_thread_pool().reserved();
}

}  // namespace swarm::detail
