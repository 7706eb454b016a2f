// Chat rooms shared by all worker threads. A room knows how many members it
// has (durian replies to `send_message` with that count) and who they are,
// to hand each a message another member sent (`>message <rid> <text>`).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace durian {

// A room member as the room sees it: something that takes a broadcast line.
class Member {
 public:
  virtual ~Member() = default;
  // Hands over a line for this member's client. Called on any thread:
  // the member takes it to its own.
  virtual void deliver(std::shared_ptr<const std::string> line) = 0;
};

class Room {
 public:
  // Members now.
  std::int64_t count() const { return count_.load(std::memory_order_relaxed); }
  // `member` may be null: counted, hears nothing.
  void join(const std::shared_ptr<Member>& member);
  void leave(const Member* member);
  // Hands `line` to every member but `sender`; returns how many got it.
  std::size_t broadcast(const Member* sender, const std::string& line);

 private:
  // One member: its identity (it may be leaving from its destructor, when
  // the weak pointer no longer locks) and how to reach it.
  struct Entry {
    const Member* id;
    std::weak_ptr<Member> member;  // weak: a closed connection is never kept
  };

  std::atomic<std::int64_t> count_{0};  // members now
  std::mutex mutex_;                    // guards members_
  std::vector<Entry> members_;          // who is in
};

class RoomRegistry {
 public:
  // Most rooms a server keeps; rooms are never freed (see room()).
  static constexpr std::size_t max_rooms = 1 << 20;

  // Room `rid`, created empty on first use, or nullptr when there are
  // already max_rooms rooms. The pointer stays valid for the registry's
  // whole life, so a connection looks its room up once, on entering.
  Room* room(std::uint64_t rid);

 private:
  std::shared_mutex mutex_;  // guards the map's shape, not the rooms
  // rid -> room. Node-based, so addresses survive rehashing.
  std::unordered_map<std::uint64_t, Room> rooms_;
};

}  // namespace durian
