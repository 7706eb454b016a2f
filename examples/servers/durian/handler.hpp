// The durian protocol for one connection: one request line in, one reply
// line out. No sockets here, so the rules can be read (and tested) alone.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "counters.hpp"
#include "rooms.hpp"

namespace durian {

// What every connection on every thread shares.
struct Shared {
  const Counters& counters;  // for the `stats` command
  RoomRegistry& rooms;       // chat rooms by id
  std::uint64_t token_key;   // secret of this server run; signs login tokens
};

class Handler {
 public:
  // What the connection does after the reply has been sent.
  enum class Next { keep_open, close };

  // Longest request line accepted, not counting its "\r\n".
  static constexpr std::size_t max_line = 4096;

  explicit Handler(Shared& shared) : shared_(shared) {}
  // Who receives what others send to our room (the connection); without
  // one, the connection can enter rooms but hears nothing.
  void set_member(std::shared_ptr<Member> self) { self_ = std::move(self); }
  ~Handler() { leave_room(); }
  Handler(const Handler&) = delete;
  Handler& operator=(const Handler&) = delete;

  // Appends the reply (with its "\r\n") to `line`, a request without its line end.
  Next on_line(std::string_view line, std::string& out);

  // Appends the reply to a line longer than max_line; the connection must close.
  static Next on_line_too_long(std::string& out);

 private:
  void enter_chatroom(std::string_view arg, std::string& out);
  void leave_chatroom(std::string& out);
  void send_message(std::string_view text, std::string& out);
  void login(std::string_view uid, std::string& out);
  void whoami(std::string_view token, std::string& out);
  void stats(std::string& out);
  void leave_room();

  Shared& shared_;
  std::weak_ptr<Member> self_;  // this connection, as rooms see it (weak: it owns us)
  Member* member_ = nullptr;    // the same, for leaving (set while in a room)
  Room* room_ = nullptr;        // our room; null: in none
  std::uint64_t rid_ = 0;       // id of our room, when room_ is set
};

}  // namespace durian
