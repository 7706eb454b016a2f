// Chat rooms shared by all worker threads. A room is only a member count:
// durian replies to `send_message` with how many members would receive it, so
// that is all the server has to know.
#pragma once

#include <atomic>
#include <cstdint>
#include <shared_mutex>
#include <unordered_map>

namespace durian {

class RoomRegistry {
 public:
  // Most rooms a server keeps; rooms are never freed (see members()).
  static constexpr std::size_t max_rooms = 1 << 20;

  // The member count of room `rid`, created at zero on first use, or nullptr
  // when there are already max_rooms rooms. The reference stays valid for
  // the registry's whole life, so a connection looks its room up once, on
  // entering, and after that touches only this one atomic: no lock per
  // message. That is also why an empty room is kept rather than freed.
  std::atomic<std::int64_t>* members(std::uint64_t rid);

 private:
  std::shared_mutex mutex_;  // guards the map's shape, not the counts
  // rid -> members now. Node-based, so addresses survive rehashing.
  std::unordered_map<std::uint64_t, std::atomic<std::int64_t>> rooms_;
};

}  // namespace durian
