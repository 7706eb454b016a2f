// OpenSSL's memory, per thread: its allocations go through functions of
// swarm's (CRYPTO_set_mem_functions) that
//   - count what each thread holds, so each worker can say how many bytes
//     its TLS sessions keep (the status block's memory line): one
//     thread-local addition per allocation;
//   - keep a few free blocks of the sizes OpenSSL asks for its transient
//     buffers (16 KiB records, the handshake message buffer) instead of
//     giving them back to malloc: with SSL_MODE_RELEASE_BUFFERS a request
//     takes and frees a record buffer each way, and those big chunks,
//     freed between the small objects that live on, would leave holes
//     (measured: bench/idle-memory --tls, DESIGN.md).
#pragma once

#include <cstddef>
#include <cstdint>

namespace swarm::engine {

/// Routes OpenSSL's allocations through the counters. Call before anything
/// else uses OpenSSL (first thing in main); false when it is too late (then
/// nothing is counted or kept).
bool count_tls_memory() noexcept;

/// Bytes OpenSSL allocated on this thread and has not freed (malloc's
/// usable sizes; what another thread frees is taken off that thread's).
std::int64_t tls_bytes_on_this_thread() noexcept;

/// Bytes of free buffer blocks this thread keeps for OpenSSL's next ones.
std::size_t tls_kept_bytes_on_this_thread() noexcept;

}  // namespace swarm::engine
