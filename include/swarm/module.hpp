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
//
// What a module keeps per connection (Lua's `client.state`) it keys by
// client.id() in a thread_local table: a connection's commands all run on its
// worker's thread. SWARM_MODULE_WITH_FORGET names a function swarm calls on
// that thread when the TCP connection closes, to drop the entry (see
// examples/protocols/native/durian.cpp).
//
// Build a module against an installed swarm with
//   c++ -std=c++20 -O2 -shared -fPIC my.cpp -o my.so $(pkg-config --cflags --libs swarm)
// or with CMake: find_package(swarm) and swarm_add_module(my my.cpp). It links
// no swarm library: the few out-of-line parts of this API (the coroutine
// frame pool, the built-in reply parsers) come from the swarm executable.
#pragma once

#if __cplusplus < 202002L
#error "swarm modules are C++20 (coroutines): compile with -std=c++20"
#endif

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "swarm/client.hpp"
#include "swarm/task.hpp"
#include "swarm/version.hpp"

namespace swarm {

/// The version of this module interface (the layout of the types below and
/// of the other headers' classes). swarm loads only modules built for its own
/// version and names both when it refuses one. Version 2 added
/// ModuleDefinition::swarm_version, hooks (pushes, per-connection state) and
/// forget_connection, and Client's pipelining, receive and push calls.
/// Version 3 added Client::server_name() and Client::end_connection(): a
/// module calling them on a version-2 swarm would call past its vtable.
inline constexpr int kModuleAbiVersion = 3;

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

/// What `swarm_module()` returns: the module's commands. The first two
/// fields keep their place in every version of the interface, so that swarm
/// can say which version a module was built for before it refuses it.
struct ModuleDefinition {
  int abi_version;                     // kModuleAbiVersion at build time
  const char* swarm_version;           // SWARM_VERSION at build time
  const CommandEntry* commands;        // the commands
  std::size_t command_count;           // how many
  const ModuleHooks* hooks = nullptr;  // pushes and per-connection state, if any
  void (*forget_connection)(std::uint64_t client_id) = nullptr;  // called on the connection's
                                                                 // thread when it closes
};

}  // namespace swarm

/// Defines `swarm_module()` for a module whose commands are the array `table`,
/// with `hooks` (a `const swarm::ModuleHooks*`, or nullptr) and `forget` (a
/// `void(std::uint64_t)` function, or nullptr; see below). Exported with
/// default visibility, so modules may build with -fvisibility=hidden.
#define SWARM_MODULE_DEFINE(table, hooks, forget)                                  \
  extern "C" __attribute__((visibility("default"))) const swarm::ModuleDefinition* \
  swarm_module() {                                                                 \
    static const swarm::ModuleDefinition definition{                               \
        swarm::kModuleAbiVersion,           SWARM_VERSION, table,                  \
        sizeof(table) / sizeof((table)[0]), hooks,         forget};                \
    return &definition;                                                            \
  }

/// Defines `swarm_module()` for a module whose commands are the array `table`
/// and that keeps nothing per connection.
#define SWARM_MODULE(table) SWARM_MODULE_DEFINE(table, nullptr, nullptr)

/// Same, for a module that keeps something per connection: swarm calls
/// `forget(client_id)` on the connection's worker thread each time that TCP
/// connection closes (a reconnect starts with nothing kept).
#define SWARM_MODULE_WITH_FORGET(table, forget) SWARM_MODULE_DEFINE(table, nullptr, forget)

/// Defines `swarm_module()` for a module whose commands are the array
/// `table` and whose ModuleHooks are `hooks` (an object, not a pointer).
#define SWARM_MODULE_WITH_HOOKS(table, hooks) SWARM_MODULE_DEFINE(table, &(hooks), nullptr)
