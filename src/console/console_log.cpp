#include "console/console_log.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "console/console_server.hpp"

namespace swarm::console {
namespace {

/// Now in UTC, ISO 8601 with milliseconds.
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", parts.tm_year + 1900,
                     parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                     millis);
}

}  // namespace

ConsoleLog::ConsoleLog(const std::string& path) : file_(std::fopen(path.c_str(), "a")) {
  if (!file_) {
    throw std::runtime_error(
        fmt::format("--console-log {}: cannot open: {}", path, std::strerror(errno)));
  }
}

void ConsoleLog::write(const asio::ip::tcp::endpoint& peer, std::string_view event) {
  std::FILE* out = file_ ? file_.get() : stderr;
  const std::string line =
      fmt::format("swarm: {} console {}: {}\n", utc_now(), to_string(peer), event);
  std::fputs(line.c_str(), out);
  std::fflush(out);
}

}  // namespace swarm::console
