// Recorder: what one worker counts. Single writer (its worker thread); the
// reporter gets copies through the worker's own event loop and merges them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stats/histogram.hpp"
#include "stats/received.hpp"
#include "stats/reply_kinds.hpp"

namespace swarm::stats {

/// Where a connection is in its life. Names as in the original's status
/// block, plus `backoff`.
enum class ConnState : std::uint8_t {
  connecting,  // waiting for a connect slot or for connect() to finish
  acting,      // running a command
  standby,     // sleeping between rounds or after an action
  backoff,     // waiting before reconnecting after a failure
};
inline constexpr std::size_t kConnStates = 4;
/// "connecting", "acting", "standby", "backoff".
const char* to_string(ConnState state) noexcept;

/// Why an iteration or a connection attempt ended badly, or why a
/// connection went away.
enum class Reason : std::uint8_t {
  refused,             // connect: ECONNREFUSED
  connect_timeout,     // connect: no answer within the timeout
  unreachable,         // connect: ENETUNREACH / EHOSTUNREACH
  addr_in_use,         // connect: EADDRINUSE (a source address and port already taken)
  addr_not_available,  // connect: EADDRNOTAVAIL (no local port left to the server, or a
                       // --source address not on this host)
  too_many_files,      // socket(): EMFILE / ENFILE
  closed,              // the server closed the connection
  reset,               // ECONNRESET, EPIPE and other socket errors
  timeout,             // no complete reply within --timeout
  protocol_error,      // a reply parser rejected the server's bytes
  script_error,        // the protocol module raised an error
  reply_too_large,     // a reply, or the pushed data buffered, passed --max-reply
  other,               // anything else (the errno text is in the log)
  tls_verify,          // TLS: the server's certificate did not verify (CA, name, dates)
  tls_handshake,       // TLS: the handshake failed on our side (versions, ciphers, not TLS)
  tls_alert,           // TLS: the server sent a fatal alert; counted by name too
                       // ("tls_alert:<name>" in Recorder::error_details)
  tls_error,           // TLS: the session broke after the handshake (bad record, ...)
};
inline constexpr std::size_t kReasons = 17;
static_assert(static_cast<std::size_t>(Reason::tls_error) + 1 == kReasons,
              "kReasons counts every Reason");
/// The reason's report name: "refused", "connect_timeout", ...
const char* to_string(Reason reason) noexcept;
/// The reason whose report name is `name`, or nothing.
std::optional<Reason> reason_named(std::string_view name) noexcept;
/// What to do about a reason a user can fix on this side, or nullptr.
const char* hint_for(Reason reason) noexcept;

/// How a request (one send_for_reply or send_noreply) ended. Every request
/// ends exactly one way, or is still in flight: requests = replies + no_reply
/// + failed + abandoned + in_flight, always.
enum class RequestEnd : std::uint8_t {
  replied,    // send_for_reply: the whole reply arrived
  sent,       // send_noreply: written in full (no reply is awaited)
  failed,     // an error ended it: timeout, closed, reset, protocol error
  abandoned,  // its connection was closed by decr or stop while it was in flight
};

/// Counts for one plan action's command.
struct CommandStats {
  std::uint64_t calls = 0;      // command invocations started
  std::uint64_t requests = 0;   // send_for_reply / send_noreply calls
  std::uint64_t replies = 0;    // complete replies received
  std::uint64_t no_reply = 0;   // send_noreply requests written in full
  std::uint64_t failed = 0;     // requests an error ended (see RequestEnd)
  std::uint64_t abandoned = 0;  // requests cut short by decr or stop
  std::int64_t in_flight = 0;   // gauge: requests sent and not yet ended
  std::uint64_t errors = 0;     // calls that ended other than ok
  std::uint64_t bytes_in = 0;   // bytes read for this command's replies
  std::uint64_t bytes_out = 0;  // bytes written for this command's requests
  std::uint64_t scheduled = 0;  // rate mode: calls made at (or after) a due time
  Histogram latency_us;         // send_for_reply: first byte sent to reply end (service time)
  Histogram intended_us;        // rate mode: the same, plus how late its call went out
                                // after it was due (latency from the intended time)
  ReplyKinds reply_kinds;       // replies by what the server answered (when the
                                // protocol tells): errors by first word, hit/miss

  /// Adds `other`'s counts and latencies into this one.
  void merge(const CommandStats& other);
  /// What happened after `earlier` was copied from this one: counters and
  /// latencies in between; the gauge (in_flight) as now.
  CommandStats since(const CommandStats& earlier) const;
};

/// Counts per plan action, kept once per distinct command: actions that run
/// the same command share one CommandStats (and its ~35 KiB histogram), so a
/// plan costs memory by its commands, not by its length (a 40 000-action plan
/// of three commands holds three histograms per worker). Reports show one row
/// per command anyway.
class ActionStats {
 public:
  /// One entry per action, named by its command; equal names share.
  void assign(const std::vector<std::string>& command_per_action);
  /// `actions` actions, each with a command of its own.
  void resize(std::size_t actions);

  /// The counts of action `action` (shared with its command's other actions).
  CommandStats& operator[](std::size_t action) { return commands_[(*command_of_)[action]]; }
  const CommandStats& operator[](std::size_t action) const {
    return commands_[(*command_of_)[action]];
  }
  /// Number of actions.
  std::size_t size() const noexcept { return command_of_ ? command_of_->size() : 0; }
  /// Which entry of commands() action `action` counts into.
  std::size_t command_of(std::size_t action) const { return (*command_of_)[action]; }
  /// Whether `action` is the first of its command's actions: what sums over
  /// actions must check, or they would count a shared command once per
  /// action.
  bool owns(std::size_t action) const { return (*first_of_command_)[action] != 0; }
  /// One entry per distinct command, in order of first use in the plan.
  const std::vector<CommandStats>& commands() const noexcept { return commands_; }
  /// Entry `index` of commands(), to fill (a snapshot read back).
  CommandStats& command(std::size_t index) { return commands_.at(index); }

  /// Adds `other`'s counts, command by command (an empty side takes the
  /// other's shape).
  void merge(const ActionStats& other);
  /// What happened after `earlier` was copied from this one, per command.
  ActionStats since(const ActionStats& earlier) const;

 private:
  /// Sets the action -> command map (shared by every copy: it never changes).
  void set_map(std::vector<std::uint32_t> command_of);

  std::shared_ptr<const std::vector<std::uint32_t>> command_of_;  // action -> commands_ index;
                                                                  // immutable, shared by copies
  std::shared_ptr<const std::vector<char>> first_of_command_;     // action -> whether it is its
                                                                  // command's first
  std::vector<CommandStats> commands_;                            // per distinct command
};

/// Error messages and how often each was seen, in bounded memory: a module
/// whose messages vary (a counter, the reply's bytes) must not grow a
/// long run's memory without end. Past kMaxDistinct messages, new ones are
/// counted under kOthers; a message is kept to its first kMaxBytes bytes.
class MessageCounts {
 public:
  static constexpr std::size_t kMaxDistinct = 100;
  static constexpr std::size_t kMaxBytes = 1000;
  static constexpr std::string_view kOthers = "(other messages, past 100 distinct ones)";

  /// The count of `message` (cut to kMaxBytes), or of kOthers when full.
  std::uint64_t& operator[](std::string_view message);
  /// The count of `message`; throws std::out_of_range when it was never seen.
  std::uint64_t at(std::string_view message) const;
  bool empty() const noexcept { return counts_.empty(); }
  /// The counts added after `earlier` was copied from this one (messages
  /// seen no more since are left out).
  MessageCounts since(const MessageCounts& earlier) const;
  std::size_t size() const noexcept { return counts_.size(); }
  auto begin() const noexcept { return counts_.begin(); }
  auto end() const noexcept { return counts_.end(); }

 private:
  std::map<std::string, std::uint64_t, std::less<>> counts_;  // message -> times seen
};

/// Where a worker's memory goes, in bytes (a gauge, filled at snapshot time).
struct MemoryUse {
  std::uint64_t connections = 0;  // connection objects
  std::uint64_t frames = 0;       // coroutine frames (suspended connections, commands)
  std::uint64_t spill = 0;        // reply bytes kept between reads
  std::uint64_t module = 0;       // the protocol module's heap (Lua states)
  std::uint64_t index = 0;        // the worker's lists of connections and timers
  std::uint64_t buffers = 0;      // per-worker read buffers
  std::uint64_t tls = 0;          // OpenSSL's objects of the TLS sessions (SSL, keys, certificates)
  /// What grows with connections (not the module's heap or the buffers,
  /// which each worker has once).
  std::uint64_t for_connections() const noexcept {
    return connections + frames + spill + index + tls;
  }
  void merge(const MemoryUse& other) noexcept;
};

/// A kind of error whose message matters (a TLS failure): how often it was
/// seen and the first message, shown like script errors.
struct ErrorDetail {
  std::uint64_t count = 0;  // times seen
  std::string first;        // the message of the first one
};

/// Everything one worker counts. Gauges are current values; counters only
/// grow. Each command's histogram holds ~35 KiB: shape `actions` once, when
/// the plan is known, not on the hot path.
struct Recorder {
  std::array<std::int64_t, kConnStates> in_state{};  // gauge: connections now in each state
  std::array<std::uint64_t, kConnStates> entered{};  // counter: transitions into each state
  std::int64_t open = 0;                             // gauge: TCP connections established now
  std::int64_t target = 0;                           // gauge: connections this worker should keep
  std::uint64_t connects = 0;                        // counter: connections established
  std::uint64_t connect_attempts = 0;                // counter: connect() calls
  std::int64_t dialing = 0;                          // gauge: connect attempts under way
  std::uint64_t requests = 0;                        // counter: requests sent (all commands)
  std::uint64_t replies = 0;                         // counter: replies completed
  std::uint64_t bytes_in = 0;                        // counter: bytes read from servers
  std::uint64_t bytes_out = 0;                       // counter: bytes written to servers
  std::uint64_t iterations = 0;                      // counter: plan iterations completed
  std::uint64_t syn_retries = 0;  // counter: connects that needed a SYN retransmission
  Histogram connect_us;           // connect() called to connection established
  std::array<std::uint64_t, kReasons> errors{};  // counter: failures by reason
  // How connect attempts ended, each once: connect_attempts = open + dialing
  // + every ended count, always. A failure ends an attempt or an open TCP
  // connection (its first failure names it; a script error with the stream
  // in step ends nothing).
  std::array<std::uint64_t, kReasons> ended{};  // counter: ended by a failure, by reason
  std::uint64_t ended_by_plan = 0;              // counter: closed by the module (close_connection)
  std::uint64_t ended_by_console = 0;           // counter: closed or cancelled by decr or stop
  ActionStats actions;                          // per plan action, by index
  MessageCounts script_errors;                  // message -> times seen
  ReceivedStats received;                       // what servers sent unasked
  std::uint64_t tls_handshakes = 0;             // counter: TLS handshakes completed
  std::uint64_t tls_resumed = 0;  // counter: of those, resumed sessions (no full handshake)
  Histogram handshake_us;         // TLS handshake: TCP connected to handshake done
  /// Kind -> count and first message. The kind is a reason's name
  /// ("tls_verify"), or "reason:name" for a reason counted by name too
  /// ("tls_alert:unknown_ca"); reports show those names instead of the reason.
  std::map<std::string, ErrorDetail> error_details;
  MemoryUse memory;              // gauge: filled by snapshots
  std::uint64_t owed_calls = 0;  // gauge (rate mode): calls due and not yet made, all
                                 // connections (filled by snapshots)

  /// Adds `other` into this one (gauges and counters alike).
  void merge(const Recorder& other);
  /// What happened after `earlier` was copied from this one: counters and
  /// histograms in between (never below zero); gauges as now.
  Recorder since(const Recorder& earlier) const;

  // The engine's hot path counts through these, so every request is counted
  // the same way wherever it is sent from.
  /// A request of action `action` is about to be written.
  void count_request(std::size_t action) noexcept {
    ++requests;
    ++actions[action].requests;
    ++actions[action].in_flight;
  }
  /// A request's reply arrived `latency_us` after it was sent.
  void count_reply(std::size_t action, std::uint64_t latency_us) noexcept {
    ++replies;
    CommandStats& a = actions[action];
    ++a.replies;
    --a.in_flight;
    a.latency_us.record(latency_us);
  }
  /// Rate mode: that reply came `latency_us` after its call was due.
  void count_intended(std::size_t action, std::uint64_t latency_us) noexcept {
    actions[action].intended_us.record(latency_us);
  }
  /// A request ended without a reply (`end` is not `replied`).
  void count_request_end(std::size_t action, RequestEnd end) noexcept;
  /// A TCP connect was established after `connect_time_us`; `syn_retried`
  /// when the kernel had to retransmit its SYN (the server's listen queue
  /// was full). The connection counts in `connects` once it is ready.
  void count_handshake(std::uint64_t connect_time_us, bool syn_retried) noexcept {
    connect_us.record(connect_time_us);
    if (syn_retried) ++syn_retries;
  }
  /// Counts a failure under `reason` and under `kind` (see error_details),
  /// keeping `message` when it is the first of its kind.
  void count_error(Reason reason, const std::string& kind, std::string_view message);
};

/// The actions' counts summed: every command together.
CommandStats all_commands(const Recorder& recorder);

}  // namespace swarm::stats
