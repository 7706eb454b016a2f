#include "rooms.hpp"

#include <algorithm>

namespace durian {

void Room::join(const std::shared_ptr<Member>& member) {
  std::lock_guard lock(mutex_);
  members_.push_back({member.get(), member});
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Room::leave(const Member* member) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(members_.begin(), members_.end(),
                         [&](const Entry& entry) { return entry.id == member; });
  if (it == members_.end()) return;
  *it = std::move(members_.back());
  members_.pop_back();
  count_.fetch_sub(1, std::memory_order_relaxed);
}

std::size_t Room::broadcast(const Member* sender, const std::string& line) {
  auto shared = std::make_shared<const std::string>(line);
  std::vector<std::shared_ptr<Member>> to;
  {
    std::lock_guard lock(mutex_);
    to.reserve(members_.size());
    for (const Entry& entry : members_) {
      if (entry.id == sender) continue;
      if (auto member = entry.member.lock()) to.push_back(std::move(member));
    }
  }
  // Delivered outside the lock: a member's deliver() posts to its thread.
  for (const auto& member : to) member->deliver(shared);
  return to.size();
}

Room* RoomRegistry::room(std::uint64_t rid) {
  {
    // The common case, an existing room: many threads may look at once.
    std::shared_lock lock(mutex_);
    if (auto it = rooms_.find(rid); it != rooms_.end()) return &it->second;
  }
  std::unique_lock lock(mutex_);
  if (auto it = rooms_.find(rid); it != rooms_.end()) return &it->second;
  if (rooms_.size() >= max_rooms) return nullptr;
  return &rooms_.try_emplace(rid).first->second;
}

}  // namespace durian
