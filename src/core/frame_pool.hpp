// The frame pool's upkeep, for the engine (the allocation calls themselves
// are in the public swarm/task.hpp). Everything acts on the calling thread's
// pool.
#pragma once

#include <cstddef>

namespace swarm::detail {

/// Gives back to the system the slabs that hold no frame, beyond what the
/// busiest moment since the last trim needed: after a burst (thousands of
/// connects and first requests at once) the pool shrinks to the live need
/// within a trim or two. Cheap when there is nothing to give back. Returns
/// the bytes released.
std::size_t frame_pool_trim() noexcept;

/// Bytes of slabs this thread's pool holds (frames in use and free ones).
std::size_t frame_bytes_reserved() noexcept;

}  // namespace swarm::detail
