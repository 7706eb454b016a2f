// The redis protocol's parts, shared by its files: its state per
// connection, its commands' binders, its connection setup and push handler.
#pragma once

#include <memory>

#include "protocol/builtin/protocol.hpp"

namespace swarm::protocol::builtin::redis {

/// What a redis connection keeps (zeroed when it opens).
struct RedisState {
  bool subscribed;  // SUBSCRIBE was sent: messages may arrive unasked
  bool resp3;       // HELLO 3 was accepted: pushes are `>` replies
};

// Binders, one per command (redis_commands.cpp, redis_subscribe.cpp).
std::unique_ptr<BoundCommand> bind_ping(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_get(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_set(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_del(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_incr(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_lpush(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_rpop(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_hset(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_hget(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_publish(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_command(const ArgReader& args, std::uint32_t pipeline);
std::unique_ptr<BoundCommand> bind_subscribe(const ArgReader& args, std::uint32_t pipeline);

/// "command ZADD": the row of a `command` action, named by its first word.
std::string command_row(const ArgReader& args);

/// HELLO / AUTH / SELECT on every new connection, per the settings; null
/// when the settings ask for none (redis_connect.cpp).
std::unique_ptr<ConnectionSetup> bind_setup(const ArgReader& settings);

/// Takes the messages of subscribed connections (redis_push.cpp).
std::unique_ptr<PushHandler> make_push_handler();

/// Counts a reply's kind for `client`: an error by its first word, and for
/// reads a hit or a miss. Redis answered, so nothing is wrong with the
/// command as far as swarm goes.
void count_reply(std::string_view reply, Client& client, bool read);

}  // namespace swarm::protocol::builtin::redis
