#include "handler.hpp"

#include <fmt/format.h>

#include <charconv>
#include <iterator>
#include <optional>

namespace durian {
namespace {

constexpr std::size_t max_uid = 64;  // longest uid `login` accepts, in bytes

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

template <typename... Args>
void reply(std::string& out, fmt::format_string<Args...> format, Args&&... args) {
  fmt::format_to(std::back_inserter(out), format, std::forward<Args>(args)...);
  out += "\r\n";
}

// Login tokens are stateless, so that any thread (and any connection) can
// check one without a shared table: token = hex(uid) followed by 16 hex
// digits of a keyed hash of uid. A demo, not a security boundary: it only
// has to be something a client must keep from `login` and send back.
std::uint64_t sign(std::uint64_t key, std::string_view uid) {
  std::uint64_t h = key;
  for (unsigned char c : uid) h = (h ^ c) * 0x100000001b3ULL;  // FNV-1a step
  h ^= h >> 30;  // splitmix64's finalizer: every output bit depends on every byte
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

std::string make_token(std::uint64_t key, std::string_view uid) {
  std::string token;
  for (unsigned char c : uid) fmt::format_to(std::back_inserter(token), "{:02x}", c);
  fmt::format_to(std::back_inserter(token), "{:016x}", sign(key, uid));
  return token;
}

// The uid a token was made for, or nothing when it was not made by us.
std::optional<std::string> check_token(std::uint64_t key, std::string_view token) {
  constexpr std::size_t sig_digits = 16;
  if (token.size() <= sig_digits || token.size() % 2 != 0) return std::nullopt;
  std::string uid;
  const std::string_view hex_uid = token.substr(0, token.size() - sig_digits);
  for (std::size_t i = 0; i < hex_uid.size(); i += 2) {
    unsigned byte = 0;
    const char* first = hex_uid.data() + i;
    auto [end, ec] = std::from_chars(first, first + 2, byte, 16);
    if (ec != std::errc() || end != first + 2) return std::nullopt;
    uid.push_back(static_cast<char>(byte));
  }
  std::uint64_t sig = 0;
  const std::string_view hex_sig = token.substr(hex_uid.size());
  auto [end, ec] = std::from_chars(hex_sig.data(), hex_sig.data() + hex_sig.size(), sig, 16);
  if (ec != std::errc() || end != hex_sig.data() + hex_sig.size()) return std::nullopt;
  if (sig != sign(key, uid)) return std::nullopt;
  return uid;
}

}  // namespace

Handler::Next Handler::on_line(std::string_view line, std::string& out) {
  // "command[ argument]": the argument is everything after the first space.
  const std::size_t space = line.find(' ');
  const std::string_view command = line.substr(0, space);
  const std::string_view arg =
      space == std::string_view::npos ? std::string_view() : trim(line.substr(space + 1));

  if (command == "heartbeat") {
    reply(out, "+OK heartbeat");
  } else if (command == "enter_chatroom") {
    enter_chatroom(arg, out);
  } else if (command == "leave_chatroom") {
    leave_chatroom(out);
  } else if (command == "send_message") {
    send_message(arg, out);
  } else if (command == "login") {
    login(arg, out);
  } else if (command == "whoami") {
    whoami(arg, out);
  } else if (command == "stats") {
    stats(out);
  } else if (command == "quit") {
    reply(out, "+OK bye");
    return Next::close;
  } else if (command.empty()) {
    reply(out, "-ERR empty line");
  } else {
    reply(out, "-ERR unknown command '{}'", command);
  }
  return Next::keep_open;
}

Handler::Next Handler::on_line_too_long(std::string& out) {
  reply(out, "-ERR line too long");
  return Next::close;
}

void Handler::enter_chatroom(std::string_view arg, std::string& out) {
  std::uint64_t rid = 0;  // no argument: the lobby, room 0
  if (!arg.empty()) {
    auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), rid);
    if (ec != std::errc() || end != arg.data() + arg.size()) {
      reply(out, "-ERR bad room id '{}'", arg);
      return;
    }
  }
  Room* room = shared_.rooms.room(rid);
  if (room == nullptr) {
    reply(out, "-ERR too many rooms");
    return;
  }
  leave_room();  // a connection is in one room at most: entering moves it
  std::shared_ptr<Member> self = self_.lock();
  room_ = room;
  rid_ = rid;
  member_ = self.get();
  room_->join(self);
  reply(out, "+OK entered {}", rid);
}

void Handler::leave_chatroom(std::string& out) {
  if (room_ == nullptr) {
    reply(out, "-ERR not in a chatroom");
    return;
  }
  leave_room();
  reply(out, "+OK left {}", rid_);
}

void Handler::send_message(std::string_view text, std::string& out) {
  if (room_ == nullptr) {
    reply(out, "-ERR not in a chatroom");
    return;
  }
  // Everyone else in the room gets it, as a line of its own that no request
  // asked for; the sender gets the room's size.
  room_->broadcast(member_, fmt::format(">message {} {}\r\n", rid_, text));
  reply(out, "+OK sent {}", room_->count());
}

void Handler::login(std::string_view uid, std::string& out) {
  if (uid.empty() || uid.size() > max_uid || uid.find(' ') != std::string_view::npos) {
    reply(out, "-ERR usage: login <uid> (1 to {} bytes, no spaces)", max_uid);
    return;
  }
  reply(out, "+OK token {}", make_token(shared_.token_key, uid));
}

void Handler::whoami(std::string_view token, std::string& out) {
  if (auto uid = check_token(shared_.token_key, token)) {
    reply(out, "+OK uid {}", *uid);
  } else {
    reply(out, "-ERR bad token");
  }
}

void Handler::stats(std::string& out) {
  const Totals t = shared_.counters.sum();
  reply(out, "+OK connections {} accepted {} requests {} closed {} pushed {} dropped {}",
        t.connections, t.accepted, t.requests, t.closed, t.pushed, t.dropped);
}

void Handler::leave_room() {
  if (room_ != nullptr) room_->leave(member_);
  room_ = nullptr;
  member_ = nullptr;
}

}  // namespace durian
