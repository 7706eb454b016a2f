// What the console asks of the rest of swarm. The console knows nothing of
// the engine; the app implements this and wires it to the engine.
#pragma once

#include <asio/awaitable.hpp>
#include <cstdint>
#include <string>

#include "console/console_command.hpp"

namespace swarm::console {

/// Called on the console's io_context thread, one call at a time. Each
/// returns the text to send back ("OK", plus any warning; for stat the
/// status block). Lines may end in "\n" or "\r\n"; the console sends "\r\n".
class ConsoleHandler {
 public:
  virtual ~ConsoleHandler() = default;

  /// `incr n`: open n more connections (1 <= n <= max_console_count).
  virtual std::string on_incr(std::uint64_t n) = 0;
  /// `decr n`: close n uniformly random connections.
  virtual std::string on_decr(std::uint64_t n) = 0;
  /// `stop`: stop the whole run; the session closes after the reply.
  virtual std::string on_stop() = 0;
  /// `stat`: the current status block.
  virtual std::string on_stat() = 0;
  /// `stat html FILE`: writes the HTML report of the run so far to FILE.
  virtual std::string on_stat_html(const std::string& path) {
    return "Error: this console cannot write '" + path + "'";
  }
  /// `rate R` (and `rate off`: 0): rate mode, `per_second` command calls in
  /// all, each connection calling at fixed due times; 0 switches it off (the
  /// plan's sleeps pace the calls). Any value may come (negative, NaN, huge,
  /// from the console or another door): the answer says what is wrong, or
  /// "OK" and what changed.
  virtual std::string set_rate(double per_second) = 0;
  /// `rebalance`: a fleet's controller splits the target over its agents
  /// again; a single swarm has nothing to split.
  virtual std::string on_rebalance() {
    return "Error: rebalance splits a fleet's connections over its agents; this swarm runs "
           "alone (see `swarm control`)";
  }

  /// The one door every command comes through (the console, the HTTP API):
  /// the answer to `command`, by default from the calls above. A handler
  /// whose answers take a round trip (a fleet's controller asks its agents
  /// over HTTP) overrides it; the console reads nothing more from that
  /// session until the answer is in, so answers keep the commands' order.
  /// `help`, `quit` and `auth` are the session's own and never come here.
  virtual asio::awaitable<std::string> answer(ConsoleCommand command);
};

}  // namespace swarm::console
