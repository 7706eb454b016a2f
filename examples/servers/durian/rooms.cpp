#include "rooms.hpp"

#include <mutex>

namespace durian {

std::atomic<std::int64_t>* RoomRegistry::members(std::uint64_t rid) {
  {
    // The common case, an existing room: many threads may look at once.
    std::shared_lock lock(mutex_);
    if (auto it = rooms_.find(rid); it != rooms_.end()) return &it->second;
  }
  std::unique_lock lock(mutex_);
  if (auto it = rooms_.find(rid); it != rooms_.end()) return &it->second;
  if (rooms_.size() >= max_rooms) return nullptr;
  return &rooms_.try_emplace(rid, 0).first->second;
}

}  // namespace durian
