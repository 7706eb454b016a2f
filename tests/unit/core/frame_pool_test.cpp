// The frame pool gives back what a burst took: slabs whose frames are all
// free go back to the system after a few trims, while frames still in use
// stay where they are, intact.
#include "core/frame_pool.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>
#include <vector>

#include "swarm/task.hpp"

namespace swarm {
namespace {

/// Runs `body` on a thread of its own: a fresh pool, not shared with other tests.
template <class Body>
void on_own_thread(Body body) {
  std::thread(body).join();
}

TEST(FramePool, ABurstIsGivenBackAfterAFewTrims) {
  on_own_thread([] {
    constexpr std::size_t kSize = 200;
    // The live need: 1000 frames kept for good.
    std::vector<void*> kept;
    for (int i = 0; i < 1000; ++i) kept.push_back(detail::frame_allocate(kSize));
    const std::size_t live = detail::frame_bytes_reserved();
    // A burst: 50 000 more, then freed.
    std::vector<void*> burst;
    for (int i = 0; i < 50000; ++i) burst.push_back(detail::frame_allocate(kSize));
    for (void* frame : kept) std::memset(frame, 0x5a, kSize);
    const std::size_t peak = detail::frame_bytes_reserved();
    EXPECT_GE(peak, 50000 * kSize);
    for (void* frame : burst) detail::frame_deallocate(frame, kSize);
    std::size_t released = 0;
    for (int trim = 0; trim < 12; ++trim) released += detail::frame_pool_trim();
    EXPECT_EQ(detail::frame_bytes_reserved(), peak - released);
    // Back to the live need, within a slab or two.
    EXPECT_LE(detail::frame_bytes_reserved(), live + 2 * 64 * 1024);
    for (void* frame : kept) {
      const auto* bytes = static_cast<const unsigned char*>(frame);
      ASSERT_EQ(bytes[0], 0x5a);
      ASSERT_EQ(bytes[kSize - 1], 0x5a);
    }
    // The pool still serves, from kept slabs first, then new ones.
    std::vector<void*> again;
    for (int i = 0; i < 20000; ++i) again.push_back(detail::frame_allocate(kSize));
    for (void* frame : again) std::memset(frame, 0x33, kSize);
    for (void* frame : again) detail::frame_deallocate(frame, kSize);
    for (void* frame : kept) detail::frame_deallocate(frame, kSize);
  });
}

TEST(FramePool, ANeedThatComesBackEveryTrimIsKept) {
  on_own_thread([] {
    constexpr std::size_t kSize = 96;
    std::vector<void*> frames;
    std::size_t released = 0;
    for (int round = 0; round < 5; ++round) {
      for (int i = 0; i < 5000; ++i) frames.push_back(detail::frame_allocate(kSize));
      for (void* frame : frames) detail::frame_deallocate(frame, kSize);
      frames.clear();
      released += detail::frame_pool_trim();
    }
    EXPECT_EQ(released, 0u) << "slabs unmapped and mapped again for the same need";
  });
}

TEST(FramePool, TrimmingAnIdlePoolReleasesNothing) {
  on_own_thread([] {
    void* frame = detail::frame_allocate(64);
    EXPECT_EQ(detail::frame_pool_trim(), 0u);
    EXPECT_EQ(detail::frame_bytes_reserved(), 64u * 1024);
    detail::frame_deallocate(frame, 64);
  });
}

}  // namespace
}  // namespace swarm
