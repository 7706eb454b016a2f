// CommandClient: the Client a command runs with, made for one call of one
// plan action (or of a connection hook: on_connect, on_idle). It performs
// the command's I/O on the connection, counts it under the action's row
// (requests, replies, latency, replies by kind), and is the one place that
// knows how that I/O ended: the first call that failed, and whether the
// command closed the connection. The module only says whether it raised an
// error; the plan runner puts the two together.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/timer_heap.hpp"
#include "stats/recorder.hpp"
#include "swarm/client.hpp"
#include "swarm/task.hpp"

namespace swarm::engine {

class Connection;

class CommandClient final : public Client {
 public:
  /// A client for one call counted under row `action` (a plan action, or a
  /// hook's row after them) on `connection`; in rate mode, `due` is when the
  /// call was due (the epoch otherwise).
  CommandClient(Connection& connection, std::uint32_t action, Clock::time_point due = {}) noexcept
      : connection_(connection), due_(due), action_(action) {}
  ~CommandClient() override;
  CommandClient(const CommandClient&) = delete;
  CommandClient& operator=(const CommandClient&) = delete;

  std::uint64_t id() const noexcept override;
  Task<Reply> send_for_reply(std::string_view request, ReplyParser& parser) override;
  Task<IoStatus> send_noreply(std::string_view request) override;
  Task<IoStatus> send_pipelined(std::string_view requests, std::uint32_t count) override;
  Task<Reply> read_reply(ReplyParser& parser) override;
  Task<Reply> receive(ReplyParser& parser) override;
  IoStatus send_now(std::string_view bytes) override;
  void close_connection() noexcept override;
  Task<IoStatus> sleep(std::chrono::nanoseconds duration) override;
  void* connection_state() noexcept override;
  std::uint64_t random() noexcept override;
  void count_reply(std::string_view kind, bool error) override;
  void count_received(std::string_view topic, std::int64_t sent_unix_ns) override;
  std::string_view server_name() const noexcept override;
  void end_connection(std::string_view kind, std::string_view message) override;

  /// The first call that failed (ok when none did).
  IoStatus failure() const noexcept { return failure_; }
  /// Whether the command called close_connection().
  bool closed() const noexcept { return closed_; }
  /// After a reply failed with protocol_error: what the parser found wrong,
  /// with the command's name ("" otherwise).
  const std::string& protocol_error() const noexcept { return protocol_error_; }

 private:
  /// `count` requests are about to be written: counted, timed, and a reply
  /// timeout armed.
  void start_requests(std::uint32_t count);
  /// A reply read for one of the requests (or why there is none);
  /// `arrived_ns` is the kernel's receive stamp of its last bytes (0: not
  /// known).
  Reply finish_reply(Reply reply, ReplyParser& parser, std::int64_t arrived_ns);
  /// Ends every request still awaiting its reply as `end`.
  void end_awaited(stats::RequestEnd end) noexcept;
  IoStatus note(IoStatus status) noexcept;
  /// Rate mode: a request goes out at `started`; the call's first fixes how
  /// late the call went out.
  void note_start(Clock::time_point started) noexcept;

  Connection& connection_;             // where the I/O goes
  Clock::time_point due_;              // rate mode: when the call was due; else epoch
  std::chrono::nanoseconds late_{-1};  // rate mode: how late its first request went out
                                       // (negative until then)
  std::uint32_t action_;               // the row its counts go to
  std::uint32_t awaiting_ = 0;         // replies still due to requests sent
  Clock::time_point sent_at_{};        // when those requests were sent
  IoStatus failure_ = IoStatus::ok;    // the first failed call
  bool closed_ = false;                // close_connection() was called
  std::string protocol_error_;         // why a parser rejected a reply
};

}  // namespace swarm::engine
