#include "engine/tls_memory.hpp"

#include <malloc.h>
#include <openssl/crypto.h>

#include <array>
#include <cstdlib>

namespace swarm::engine {
namespace {

/// The sizes OpenSSL asks for its big transient buffers, and the block each
/// class hands out: record buffers (read 16 712 B, write 16 584 B) and the
/// handshake message buffer (21 848 B, grown by realloc from nothing).
struct BufferClass {
  std::size_t lowest;  // requests from here...
  std::size_t block;   // ...up to here get a block of this size
};
constexpr std::array<BufferClass, 2> kClasses{{{16384, 16896}, {20480, 22528}}};
constexpr std::size_t kKept = 16;  // free blocks a thread keeps per class

/// A thread's free blocks. Plain data: still usable while the thread's
/// other thread-locals are destroyed (OpenSSL may free then).
struct FreeBlocks {
  std::array<std::array<void*, kKept>, kClasses.size()> blocks;
  std::array<std::size_t, kClasses.size()> count;
  bool closed;  // the thread is ending: free, do not keep
};
thread_local FreeBlocks free_blocks{};
thread_local std::int64_t live_bytes = 0;  // this thread's OpenSSL bytes

/// Gives the kept blocks back to malloc when the thread ends.
struct Drain {
  ~Drain() {
    for (std::size_t c = 0; c < kClasses.size(); ++c) {
      for (std::size_t i = 0; i < free_blocks.count[c]; ++i) std::free(free_blocks.blocks[c][i]);
      free_blocks.count[c] = 0;
    }
    free_blocks.closed = true;
  }
};
thread_local Drain drain;

/// The class of a request of `size` bytes, or -1.
int class_of(std::size_t size) {
  for (std::size_t c = 0; c < kClasses.size(); ++c) {
    if (size >= kClasses[c].lowest && size <= kClasses[c].block) return static_cast<int>(c);
  }
  return -1;
}

/// The class a block of `usable` bytes can serve as, or -1.
int class_of_block(std::size_t usable) {
  for (std::size_t c = 0; c < kClasses.size(); ++c) {
    if (usable >= kClasses[c].block && usable < kClasses[c].block + 64) return static_cast<int>(c);
  }
  return -1;
}

void* allocate(std::size_t size) {
  const int c = class_of(size);
  if (c < 0) return std::malloc(size);
  std::size_t& count = free_blocks.count[static_cast<std::size_t>(c)];
  if (count > 0) return free_blocks.blocks[static_cast<std::size_t>(c)][--count];
  return std::malloc(kClasses[static_cast<std::size_t>(c)].block);
}

void release(void* memory, std::size_t usable) {
  const int c = class_of_block(usable);
  if (c >= 0 && !free_blocks.closed) {
    (void)&drain;  // makes sure this thread drains its blocks when it ends
    std::size_t& count = free_blocks.count[static_cast<std::size_t>(c)];
    if (count < kKept) {
      free_blocks.blocks[static_cast<std::size_t>(c)][count++] = memory;
      return;
    }
  }
  std::free(memory);
}

void* counted_malloc(std::size_t size, const char*, int) {
  void* memory = allocate(size);
  if (memory != nullptr) live_bytes += static_cast<std::int64_t>(malloc_usable_size(memory));
  return memory;
}

void counted_free(void* memory, const char*, int) {
  if (memory == nullptr) return;
  const std::size_t usable = malloc_usable_size(memory);
  live_bytes -= static_cast<std::int64_t>(usable);
  release(memory, usable);
}

void* counted_realloc(void* old, std::size_t size, const char* file, int line) {
  if (old == nullptr) return counted_malloc(size, file, line);
  if (size == 0) {  // glibc's realloc would free `old` and return null
    counted_free(old, file, line);
    return nullptr;
  }
  const auto before = static_cast<std::int64_t>(malloc_usable_size(old));
  void* memory = std::realloc(old, size);
  if (memory == nullptr) return nullptr;  // `old` is still there
  live_bytes += static_cast<std::int64_t>(malloc_usable_size(memory)) - before;
  return memory;
}

}  // namespace

bool count_tls_memory() noexcept {
  return CRYPTO_set_mem_functions(counted_malloc, counted_realloc, counted_free) == 1;
}

std::int64_t tls_bytes_on_this_thread() noexcept {
  return live_bytes;
}

std::size_t tls_kept_bytes_on_this_thread() noexcept {
  std::size_t bytes = 0;
  for (std::size_t c = 0; c < kClasses.size(); ++c) {
    bytes += free_blocks.count[c] * kClasses[c].block;
  }
  return bytes;
}

}  // namespace swarm::engine
