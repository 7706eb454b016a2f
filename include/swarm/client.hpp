// swarm::Client: what a protocol module's command receives. It is the only
// way a module touches the network: modules never see sockets, and the engine
// never interprets the bytes.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "swarm/reply_parser.hpp"
#include "swarm/task.hpp"

namespace swarm {

/// How an I/O call on a Client ended.
enum class IoStatus : std::uint8_t {
  ok,              // done as asked
  closed,          // the server closed the connection
  reset,           // the connection was reset or broke (the errno is counted)
  timeout,         // no complete reply within the reply timeout
  protocol_error,  // the reply parser rejected the bytes
  aborted,         // swarm is closing this connection (decr, stop) or the
                   // command called close_connection()
};

/// The name of an IoStatus as it appears in reports ("timeout", ...).
const char* to_string(IoStatus status) noexcept;

/// The answer of send_for_reply(), read_reply() and receive(): the reply
/// bytes when status is ok.
struct Reply {
  IoStatus status;        // ok, or why there is no reply
  std::string_view data;  // the whole reply; valid until the next call on the
                          // same client
};

/// One connection as seen by a protocol module's command. After any call
/// returns a status other than ok, the command should return at once: the
/// engine ends the iteration and reconnects.
class Client {
 public:
  virtual ~Client() = default;

  /// A number unique to this connection within the run.
  virtual std::uint64_t id() const noexcept = 0;

  /// Sends all of `request`, then reads one reply as delimited by `parser`.
  /// Latency (send to last byte) is recorded under the running command.
  virtual Task<Reply> send_for_reply(std::string_view request, ReplyParser& parser) = 0;

  /// Sends all of `request` and expects no reply.
  virtual Task<IoStatus> send_noreply(std::string_view request) = 0;

  /// Sends `requests`: `count` requests written back to back, in one go
  /// (pipelining). Their replies are then read with read_reply(), in order;
  /// each one's latency is counted from this send.
  virtual Task<IoStatus> send_pipelined(std::string_view requests, std::uint32_t count) = 0;

  /// Reads the next reply to requests sent with send_pipelined(), as
  /// delimited by `parser`.
  virtual Task<Reply> read_reply(ReplyParser& parser) = 0;

  /// Waits for the next message the server sends of its own accord (a chat
  /// broadcast, a pub/sub message), framed by `parser`, up to the reply
  /// timeout. It is not a push: the module's push handler does not see it.
  virtual Task<Reply> receive(ReplyParser& parser) = 0;

  /// Writes `bytes` now, without waiting: what the socket does not take at
  /// once is kept and goes out before anything else is sent. The one way a
  /// push handler sends (an MQTT PUBACK, a websocket pong); closed when the
  /// connection is not open.
  virtual IoStatus send_now(std::string_view bytes) = 0;

  /// Closes the TCP connection now. The engine opens a new one and starts the
  /// plan again from its first action once the command returns.
  virtual void close_connection() noexcept = 0;

  /// Suspends this connection for `duration` without blocking others.
  virtual Task<IoStatus> sleep(std::chrono::nanoseconds duration) = 0;

  /// The module's memory for this connection (ModuleHooks::
  /// connection_state_bytes bytes, zeroed when the TCP connection opens,
  /// kept until it closes), or null when the module asked for none.
  virtual void* connection_state() noexcept = 0;

  /// A uniformly random 64-bit number from the worker's generator (seeded
  /// by --seed).
  virtual std::uint64_t random() noexcept = 0;

  /// Counts one reply of the running command under `kind`: an error reply's
  /// first word ("-WRONGTYPE", "NOT_STORED"), or an outcome ("hit", "miss").
  /// `error`: the server refused the request (listed under "errors by
  /// reply"); the command still went well as far as I/O goes.
  virtual void count_reply(std::string_view kind, bool error) = 0;

  /// Counts one message the server sent of its own accord, on `topic` (a
  /// channel; may be empty). `sent_unix_ns`, when not 0, is when the sender
  /// sent it (nanoseconds since the Unix epoch, as swarm's `stamp` writes
  /// it): the publish-to-receive latency is recorded.
  virtual void count_received(std::string_view topic, std::int64_t sent_unix_ns) = 0;

  /// The server this connection reached, named as a client names it to the
  /// server (an HTTP Host header): the --server name as given (`localhost`,
  /// `[::1]`), or the --tls-sni name with --tls, then `:PORT` unless the
  /// port is the default (80; 443 with --tls). Valid as long as the
  /// connection is open; empty when unknown.
  virtual std::string_view server_name() const noexcept { return {}; }

  /// Ends the connection for a reason the protocol found in the server's
  /// words: the server closed the session (a WebSocket close frame with
  /// 1011) or refused what the protocol needs (an upgrade answered 403).
  /// Counts one failure of `kind`, written "reason:name" with a reason the
  /// reports know ("closed:ws_1011", "protocol_error:ws_upgrade_403"; an
  /// unknown reason counts as protocol_error), keeps `message` when it is
  /// the first of its kind, and closes the TCP connection. The engine goes
  /// on as after any failure: the plan ends and the connection reconnects
  /// after a backoff. Later calls end with `closed`. From a push handler
  /// too.
  virtual void end_connection(std::string_view kind, std::string_view message) = 0;
};

}  // namespace swarm
