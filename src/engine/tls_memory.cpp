#include "engine/tls_memory.hpp"

#include <malloc.h>
#include <openssl/crypto.h>

#include <cstdlib>

namespace swarm::engine {
namespace {

thread_local std::int64_t live_bytes = 0;  // this thread's OpenSSL bytes

void* counted_malloc(std::size_t size, const char*, int) {
  void* memory = std::malloc(size);
  if (memory != nullptr) live_bytes += static_cast<std::int64_t>(malloc_usable_size(memory));
  return memory;
}

void counted_free(void* memory, const char*, int);

void* counted_realloc(void* old, std::size_t size, const char* file, int line) {
  if (size == 0) {  // glibc's realloc would free `old` and return null
    counted_free(old, file, line);
    return nullptr;
  }
  const auto before = old != nullptr ? static_cast<std::int64_t>(malloc_usable_size(old)) : 0;
  void* memory = std::realloc(old, size);
  if (memory == nullptr) return nullptr;  // `old` is still there (or size was 0)
  live_bytes += static_cast<std::int64_t>(malloc_usable_size(memory)) - before;
  return memory;
}

void counted_free(void* memory, const char*, int) {
  if (memory == nullptr) return;
  live_bytes -= static_cast<std::int64_t>(malloc_usable_size(memory));
  std::free(memory);
}

}  // namespace

bool count_tls_memory() noexcept {
  return CRYPTO_set_mem_functions(counted_malloc, counted_realloc, counted_free) == 1;
}

std::int64_t tls_bytes_on_this_thread() noexcept {
  return live_bytes;
}

}  // namespace swarm::engine
