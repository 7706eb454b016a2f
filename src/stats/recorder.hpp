// Recorder: what one worker counts. Single writer (its worker thread); the
// reporter gets copies through the worker's own event loop and merges them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stats/histogram.hpp"

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
  refused,          // connect: ECONNREFUSED
  connect_timeout,  // connect: no answer within the timeout
  unreachable,      // connect: ENETUNREACH / EHOSTUNREACH
  addr_in_use,      // connect: EADDRNOTAVAIL / EADDRINUSE (ports exhausted)
  too_many_files,   // socket(): EMFILE / ENFILE
  closed,           // the server closed the connection
  reset,            // ECONNRESET, EPIPE and other socket errors
  timeout,          // no complete reply within --timeout
  protocol_error,   // a reply parser rejected the server's bytes
  script_error,     // the protocol module raised an error
  other,            // anything else (the errno text is in the log)
};
inline constexpr std::size_t kReasons = 11;
/// The reason's report name: "refused", "connect_timeout", ...
const char* to_string(Reason reason) noexcept;

/// Counts for one plan action's command.
struct CommandStats {
  std::uint64_t calls = 0;     // command invocations started
  std::uint64_t requests = 0;  // send_for_reply / send_noreply calls
  std::uint64_t replies = 0;   // complete replies received
  std::uint64_t errors = 0;    // calls that ended other than ok
  Histogram latency_us;        // send_for_reply: first byte sent to reply end

  /// Adds `other`'s counts and latencies into this one.
  void merge(const CommandStats& other);
};

/// Where a worker's memory goes, in bytes (a gauge, filled at snapshot time).
struct MemoryUse {
  std::uint64_t connections = 0;  // connection objects
  std::uint64_t frames = 0;       // coroutine frames (suspended connections, commands)
  std::uint64_t spill = 0;        // reply bytes kept between reads
  std::uint64_t module = 0;       // the protocol module's heap (Lua states)
  std::uint64_t index = 0;        // the worker's lists of connections and timers
  std::uint64_t buffers = 0;      // per-worker read buffers
  /// What grows with connections (not the module's heap or the buffers,
  /// which each worker has once).
  std::uint64_t for_connections() const noexcept { return connections + frames + spill + index; }
  void merge(const MemoryUse& other) noexcept;
};

/// Everything one worker counts. Gauges are current values; counters only
/// grow. Each action's histogram holds ~35 KiB: size `actions` once, when the
/// plan is known, not on the hot path.
struct Recorder {
  std::array<std::int64_t, kConnStates> in_state{};    // gauge: connections now in each state
  std::array<std::uint64_t, kConnStates> entered{};    // counter: transitions into each state
  std::int64_t open = 0;                               // gauge: TCP connections established now
  std::int64_t target = 0;                             // gauge: connections this worker should keep
  std::uint64_t connects = 0;                          // counter: connections established
  std::uint64_t connect_attempts = 0;                  // counter: connect() calls
  std::uint64_t requests = 0;                          // counter: requests sent (all commands)
  std::uint64_t replies = 0;                           // counter: replies completed
  std::uint64_t bytes_in = 0;                          // counter: bytes read from servers
  std::uint64_t bytes_out = 0;                         // counter: bytes written to servers
  std::uint64_t iterations = 0;                        // counter: plan iterations completed
  std::array<std::uint64_t, kReasons> errors{};        // counter: failures by reason
  std::vector<CommandStats> actions;                   // per plan action, by index
  std::map<std::string, std::uint64_t> script_errors;  // message -> times seen
  MemoryUse memory;                                    // gauge: filled by snapshots

  /// Adds `other` into this one (gauges and counters alike).
  void merge(const Recorder& other);
};

}  // namespace swarm::stats
