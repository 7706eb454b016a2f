// ConsoleLog: every console event (a session opening, a command, a failed
// authentication) written with the time and the peer's address, so that
// who steered a run can be told afterwards.
#pragma once

#include <asio/ip/tcp.hpp>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace swarm::console {

class ConsoleLog {
 public:
  /// Writes to stderr.
  ConsoleLog() = default;
  /// Appends to `path` (created if missing). Throws std::runtime_error.
  explicit ConsoleLog(const std::string& path);

  /// One line: `swarm: 2025-11-29T08:30:14.500Z console 127.0.0.1:51234: incr 100`.
  /// `event` is written as given: escape what came from the peer.
  void write(const asio::ip::tcp::endpoint& peer, std::string_view event);

 private:
  struct Closer {
    void operator()(std::FILE* file) const noexcept { std::fclose(file); }
  };
  std::unique_ptr<std::FILE, Closer> file_;  // the --console-log file, if any
};

}  // namespace swarm::console
