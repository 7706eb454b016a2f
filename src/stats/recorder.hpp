// Recorder: what one worker counts. Single writer (its worker thread); the
// reporter gets copies through the worker's own event loop and merges them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
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
  tls_verify,       // TLS: the server's certificate did not verify (CA, name, dates)
  tls_handshake,    // TLS: the handshake failed on our side (versions, ciphers, not TLS)
  tls_alert,        // TLS: the server sent a fatal alert; counted by name too
                    // ("tls_alert:<name>" in Recorder::error_details)
  tls_error,        // TLS: the session broke after the handshake (bad record, ...)
};
inline constexpr std::size_t kReasons = 15;
/// The reason's report name: "refused", "connect_timeout", ...
const char* to_string(Reason reason) noexcept;

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
  Histogram latency_us;         // send_for_reply: first byte sent to reply end

  /// Adds `other`'s counts and latencies into this one.
  void merge(const CommandStats& other);
  /// What happened after `earlier` was copied from this one: counters and
  /// latencies in between; the gauge (in_flight) as now.
  CommandStats since(const CommandStats& earlier) const;
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
/// grow. Each action's histogram holds ~35 KiB: size `actions` once, when the
/// plan is known, not on the hot path.
struct Recorder {
  std::array<std::int64_t, kConnStates> in_state{};  // gauge: connections now in each state
  std::array<std::uint64_t, kConnStates> entered{};  // counter: transitions into each state
  std::int64_t open = 0;                             // gauge: TCP connections established now
  std::int64_t target = 0;                           // gauge: connections this worker should keep
  std::uint64_t connects = 0;                        // counter: connections established
  std::uint64_t connect_attempts = 0;                // counter: connect() calls
  std::uint64_t requests = 0;                        // counter: requests sent (all commands)
  std::uint64_t replies = 0;                         // counter: replies completed
  std::uint64_t bytes_in = 0;                        // counter: bytes read from servers
  std::uint64_t bytes_out = 0;                       // counter: bytes written to servers
  std::uint64_t iterations = 0;                      // counter: plan iterations completed
  std::uint64_t syn_retries = 0;  // counter: connects that needed a SYN retransmission
  Histogram connect_us;           // connect() called to connection established
  std::array<std::uint64_t, kReasons> errors{};        // counter: failures by reason
  std::vector<CommandStats> actions;                   // per plan action, by index
  std::map<std::string, std::uint64_t> script_errors;  // message -> times seen
  std::uint64_t tls_handshakes = 0;                    // counter: TLS handshakes completed
  std::uint64_t tls_resumed = 0;  // counter: of those, resumed sessions (no full handshake)
  Histogram handshake_us;         // TLS handshake: TCP connected to handshake done
  /// Kind -> count and first message. The kind is a reason's name
  /// ("tls_verify"), or "reason:name" for a reason counted by name too
  /// ("tls_alert:unknown_ca"); reports show those names instead of the reason.
  std::map<std::string, ErrorDetail> error_details;
  MemoryUse memory;  // gauge: filled by snapshots

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
