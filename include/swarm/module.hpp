// Native protocol modules: a shared object NAME.so in --protocol-dir, built
// against these headers, that exports `swarm_module()`. Its commands are C++20
// coroutines (swarm::Task<void>) that talk to the server only through the
// Client they are given, exactly like Lua commands.
//
//   swarm::Task<void> ping(swarm::Client& client, const swarm::Args& args) {
//     swarm::protocol::CrlfParser parser;  // from swarm/reply_parsers.hpp
//     swarm::Reply reply = co_await client.send_for_reply("PING\r\n", parser);
//     if (reply.status != swarm::IoStatus::ok) co_return;  // swarm counts it
//     if (reply.data != "+PONG\r\n") throw std::runtime_error("unexpected reply");
//   }
//   const swarm::CommandEntry commands[] = {{"PING", ping, nullptr}};
//   SWARM_MODULE(commands)
//
// A command that throws is counted as a script error with its message, and
// the plan goes on with its next round or action on the same connection;
// after close_connection() or a failed call it should return at once.
//
// A module whose servers push messages (pub/sub, chat broadcasts) also
// gives ModuleHooks: a framer for pushed messages and on_push(), and
// declares them with SWARM_MODULE_WITH_HOOKS(table, hooks).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swarm/client.hpp"
#include "swarm/task.hpp"

namespace swarm {

/// The interface version a module was built for; swarm refuses others.
inline constexpr int kModuleAbiVersion = 2;

/// A plan action's `args`, as text: scalars as written ("123", "true",
/// "hello"), lists and maps in YAML flow form ("[1, 2]", "{a: 1}").
class Args {
 public:
  Args() = default;
  explicit Args(std::vector<std::pair<std::string, std::string>> entries)
      : entries_(std::move(entries)) {}

  /// The value of arg `name`, or nothing when the action does not give it.
  std::optional<std::string_view> find(std::string_view name) const {
    for (const auto& [key, value] : entries_) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
  /// Every arg, in file order.
  const std::vector<std::pair<std::string, std::string>>& all() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;  // name, value
};

/// A native command: runs once per call on one connection.
using Command = Task<void> (*)(Client& client, const Args& args);

/// One command a module offers.
struct CommandEntry {
  const char* name;                  // the name plans use in `command:`
  Command run;                       // the coroutine to call
  const char* const* accepted_args;  // null-terminated list of arg names the
                                     // command takes, or nullptr for any
};

/// What a module does beyond its commands. Every field is optional (0 or
/// null: not used).
struct ModuleHooks {
  /// Bytes of memory the module keeps per connection (see
  /// Client::connection_state()).
  std::size_t connection_state_bytes;
  /// Makes the parser that frames messages the server pushes (one per
  /// worker thread; swarm deletes it). Null: the module takes no pushes,
  /// and nothing is read while a connection sleeps.
  ReplyParser* (*make_push_framer)();
  /// Whether a message that arrived while a reply was awaited is a push
  /// (handed to on_push) rather than the reply. Null: never.
  bool (*is_push)(Client& client, std::string_view message);
  /// One pushed message; `message` is valid during the call only. It must
  /// not block: it may count (Client::count_received) and send with
  /// Client::send_now(). What it throws is counted as a script error.
  void (*on_push)(Client& client, std::string_view message);
};

/// What `swarm_module()` returns: the module's commands.
struct ModuleDefinition {
  int abi_version;                     // kModuleAbiVersion at build time
  const CommandEntry* commands;        // the commands
  std::size_t command_count;           // how many
  const ModuleHooks* hooks = nullptr;  // pushes and per-connection state, if any
};

}  // namespace swarm

/// Defines `swarm_module()` for a module whose commands are the array `table`.
#define SWARM_MODULE(table)                                                              \
  extern "C" const swarm::ModuleDefinition* swarm_module() {                             \
    static const swarm::ModuleDefinition definition{swarm::kModuleAbiVersion, table,     \
                                                    sizeof(table) / sizeof((table)[0])}; \
    return &definition;                                                                  \
  }

/// Defines `swarm_module()` for a module whose commands are the array
/// `table` and whose ModuleHooks are `hooks` (an object, not a pointer).
#define SWARM_MODULE_WITH_HOOKS(table, hooks)                                                      \
  extern "C" const swarm::ModuleDefinition* swarm_module() {                                       \
    static const swarm::ModuleDefinition definition{swarm::kModuleAbiVersion, table,               \
                                                    sizeof(table) / sizeof((table)[0]), &(hooks)}; \
    return &definition;                                                                            \
  }
