// What OpenSSL holds, per thread: its allocations go through counting
// functions (CRYPTO_set_mem_functions), so each worker can say how many
// bytes its TLS sessions keep (the status block's memory line). Counting is
// one thread-local addition per allocation; the memory itself is malloc's.
#pragma once

#include <cstdint>

namespace swarm::engine {

/// Routes OpenSSL's allocations through the counters. Call before anything
/// else uses OpenSSL (first thing in main); false when it is too late (then
/// nothing is counted).
bool count_tls_memory() noexcept;

/// Bytes OpenSSL allocated on this thread and has not freed (malloc's
/// usable sizes; what another thread frees is taken off that thread's).
std::int64_t tls_bytes_on_this_thread() noexcept;

}  // namespace swarm::engine
