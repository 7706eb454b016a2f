// How a built-in protocol is written. A protocol is one folder,
// builtin/<name>/, with a Protocol (its commands and their typed args, what
// it does on connect and while idle, how it frames pushes) and one line in
// registry.cpp. The framework (BuiltinModule) does the rest the same way for
// every protocol: the plan check with file:line:col, binding each action's
// args once at load (templates compiled, payloads made), `pipeline: N`,
// per-connection state with the {seq} counter, and `swarm --protocols`.
//
// A command is bound once per worker: bind() turns the action's args into a
// BoundCommand, whose run() does one call. Most commands are a request and
// its reply (RequestReply): they say how to render a request and how to
// judge a reply, and get pipelining for free.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/builtin/arg_reader.hpp"
#include "protocol/builtin/buffer_pool.hpp"
#include "protocol/builtin/text_template.hpp"
#include "protocol/command_table.hpp"
#include "protocol/module.hpp"
#include "swarm/client.hpp"
#include "swarm/task.hpp"

namespace swarm::protocol::builtin {

/// What the framework keeps per connection, before the protocol's state.
struct ConnectionHeader {
  std::uint64_t seq = 0;  // {seq}: requests rendered on this connection so far
};
/// Bytes the header takes (rounded so that the protocol's state is aligned).
inline constexpr std::size_t kHeaderBytes = 16;
static_assert(sizeof(ConnectionHeader) <= kHeaderBytes);

/// The protocol's state for `client`'s connection (zeroed when it opened).
/// `State` must be trivially copyable, with all-zero bytes a fresh state.
template <class State>
State& connection_state(Client& client) {
  return *reinterpret_cast<State*>(static_cast<char*>(client.connection_state()) + kHeaderBytes);
}

/// One call of a bound command: the connection's client and the worker's
/// request buffers.
class Call {
 public:
  Call(Client& client, BufferPool& buffers) noexcept : client_(client), buffers_(buffers) {}
  Client& client() noexcept { return client_; }
  BufferPool& buffers() noexcept { return buffers_; }
  /// The substitutions for the next request ({seq} steps on).
  Substitutions next_request() noexcept {
    auto* header = static_cast<ConnectionHeader*>(client_.connection_state());
    return {client_.id(), header != nullptr ? ++header->seq : 0, &client_};
  }
  /// The protocol's state for this connection.
  template <class State>
  State& state() {
    return connection_state<State>(client_);
  }

 private:
  Client& client_;       // the connection
  BufferPool& buffers_;  // the worker's request buffers
};

/// A plan action of a built-in protocol, its args bound once.
class BoundCommand {
 public:
  virtual ~BoundCommand() = default;
  /// One call of the command. A failed call returns early (the engine knows
  /// why); what it throws is a script error.
  virtual Task<void> run(Call& call) const = 0;
};

/// A command that sends a request and reads its reply, `pipeline` requests
/// at a time (sent together, their replies read in order, each timed from
/// the send). A reply the protocol finds wrong is counted as a script error
/// once all the batch's replies are read (the stream stays in step).
template <class Parser>
class RequestReply : public BoundCommand {
 public:
  Task<void> run(Call& call) const override;

 protected:
  explicit RequestReply(std::uint32_t pipeline) noexcept : pipeline_(pipeline) {}
  /// Appends one request, made with `with`.
  virtual void render(std::string& out, const Substitutions& with) const = 0;
  /// Judges one reply: counts its kind (client.count_reply) and returns
  /// what is wrong with it, if anything.
  virtual std::optional<std::string> check(std::string_view reply, Client& client) const = 0;
  /// Builds the whole batch once, for a request that never changes (no
  /// substitution): call from the constructor of a final class.
  void build_once() {
    for (std::uint32_t i = 0; i < pipeline_; ++i) render(constant_, Substitutions{});
  }

 private:
  std::uint32_t pipeline_;  // requests per call
  std::string constant_;    // the batch, when built once
};

template <class Parser>
Task<void> RequestReply<Parser>::run(Call& call) const {
  Client& client = call.client();
  Parser parser;
  if (pipeline_ == 1 && !constant_.empty()) {
    // The common case in one call (one coroutine frame fewer per request).
    Reply reply = co_await client.send_for_reply(constant_, parser);
    if (reply.status != IoStatus::ok) co_return;
    if (auto wrong = check(reply.data, client)) throw std::runtime_error(*wrong);
    co_return;
  }
  if (!constant_.empty()) {
    if (co_await client.send_pipelined(constant_, pipeline_) != IoStatus::ok) co_return;
  } else {
    BufferPool::Lease batch = call.buffers().lend();
    for (std::uint32_t i = 0; i < pipeline_; ++i) render(*batch, call.next_request());
    if (co_await client.send_pipelined(*batch, pipeline_) != IoStatus::ok) co_return;
  }
  std::optional<std::string> problem;
  for (std::uint32_t i = 0; i < pipeline_; ++i) {
    Reply reply = co_await client.read_reply(parser);
    if (reply.status != IoStatus::ok) co_return;
    auto wrong = check(reply.data, client);
    if (wrong && !problem) problem = std::move(wrong);
  }
  if (problem) throw std::runtime_error(*problem);
}

/// Binds a command's args (checked against its table already; `pipeline`
/// read by the framework). Throws BindError for what the table cannot say.
using Bind = std::unique_ptr<BoundCommand> (*)(const ArgReader& args, std::uint32_t pipeline);

/// The report row of a generic command's action ("command ZADD").
using RowName = std::string (*)(const ArgReader& args);

/// One command of a protocol.
struct CommandDef {
  CommandSpec spec;       // name, typed args, one line of help
  Bind bind;              // makes the command of an action's args
  bool pipelined = true;  // takes `pipeline: N` (added to its args)
  RowName row = nullptr;  // its actions' report rows (null: the command's name)
};

/// What a protocol does with each connection beyond the plan's commands,
/// made from the plan's `on_connect` settings.
class ConnectionSetup {
 public:
  virtual ~ConnectionSetup() = default;
  /// Runs on every new TCP connection before the plan (a handshake, a
  /// login). Counted under the `on_connect` row.
  virtual Task<void> on_connect(Call& call) const = 0;
  /// How long a connection may sleep before on_idle() runs (a keepalive);
  /// 0: never.
  virtual std::chrono::nanoseconds idle_period() const { return std::chrono::nanoseconds::zero(); }
  /// Runs every idle_period() while the plan sleeps. Counted under `on_idle`.
  virtual Task<void> on_idle(Call& call) const;
  /// Whether on_connect() does anything: a setup that only speaks while
  /// idle (an MQTT keepalive for a plan that connects with a command) has no
  /// `on_connect` row and no call on every connection.
  virtual bool has_on_connect() const { return true; }
};

/// A built-in protocol: a stateless description, one object per protocol.
class Protocol {
 public:
  virtual ~Protocol() = default;
  /// The name plans give in `protocol:`.
  virtual std::string_view name() const = 0;
  /// One line for listings.
  virtual std::string_view summary() const = 0;
  /// Its commands.
  virtual const std::vector<CommandDef>& commands() const = 0;
  /// The `on_connect` settings it takes, or nothing when it takes none.
  virtual std::optional<std::vector<ArgSpec>> on_connect_args() const { return std::nullopt; }
  /// What it does with each connection under `settings` (the plan's
  /// on_connect, checked; a null value when the plan gives none), or null
  /// when that is nothing. Throws BindError.
  virtual std::unique_ptr<ConnectionSetup> bind_connection(const ArgReader& settings) const;
  /// The same, knowing the plan's `actions` (an MQTT plan's `connect`
  /// action gives the keepalive its on_idle keeps). By default
  /// bind_connection(settings). Throws BindError.
  virtual std::unique_ptr<ConnectionSetup> bind_plan_connection(
      const ArgReader& settings, const std::vector<plan::Action>& actions) const {
    static_cast<void>(actions);
    return bind_connection(settings);
  }
  /// Bytes of its own state per connection (see connection_state()).
  virtual std::size_t state_bytes() const { return 0; }
  /// Its push handler for one worker, or null when its servers push nothing.
  virtual std::unique_ptr<PushHandler> make_push_handler() const { return nullptr; }
  /// Settings it wants unless the user says otherwise.
  virtual ProtocolDefaults defaults() const { return {}; }
};

/// "text with {id}, {seq}, {rand:LO-HI}": appended to a text arg's help.
inline constexpr std::string_view kTemplateHelp = "takes {id}, {seq}, {rand:LO-HI}";

}  // namespace swarm::protocol::builtin
