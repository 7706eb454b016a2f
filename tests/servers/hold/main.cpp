// hold-server: a redis-speaking test server that answers every request
// exactly --hold after it arrived (PING gets +PONG, anything else an error),
// and at exit (SIGINT, SIGTERM) prints how long it really held them, on its
// own clock: the oracle for swarm's latency figures (bench/latency-accuracy,
// tests/e2e). `HOLDSTATS` is answered at once with its counts.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "hold_server.hpp"
#include "hold_times.hpp"

namespace {

/// "250us", "10ms", "1s", "1.5ms" -> nanoseconds; throws on anything else.
std::chrono::nanoseconds parse_hold(const std::string& text) {
  std::size_t used = 0;
  const double number = std::stod(text, &used);
  const std::string unit = text.substr(used);
  const double scale = unit == "us" ? 1e3 : unit == "ms" ? 1e6 : unit == "s" ? 1e9 : -1;
  if (scale < 0 || number < 0) throw std::invalid_argument("--hold: expected e.g. 10ms, 500us, 1s");
  return std::chrono::nanoseconds(static_cast<std::int64_t>(number * scale));
}

/// "127.0.0.1:0" or "[::1]:0" as a socket address; throws when it is neither.
sockaddr_storage parse_listen(const std::string& text, socklen_t& length) {
  sockaddr_storage address{};
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("--listen: expected host:port");
  std::string host = text.substr(0, colon);
  const int port = std::stoi(text.substr(colon + 1));
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  auto& v4 = reinterpret_cast<sockaddr_in&>(address);
  auto& v6 = reinterpret_cast<sockaddr_in6&>(address);
  if (::inet_pton(AF_INET, host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<std::uint16_t>(port));
    length = sizeof v4;
  } else if (::inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<std::uint16_t>(port));
    length = sizeof v6;
  } else {
    throw std::invalid_argument("--listen: not an IP address: " + host);
  }
  return address;
}

/// Blocks SIGINT and SIGTERM and returns a descriptor that reads them.
int signal_descriptor() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  return ::signalfd(-1, &signals, SFD_CLOEXEC);
}

std::size_t raise_open_files() {
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return static_cast<std::size_t>(limit.rlim_cur);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"hold-server: answers every redis request exactly --hold after it arrived"};
  std::string listen = "127.0.0.1:0";
  std::string hold = "10ms";
  cli.add_option("--listen", listen, "host:port (port 0: any free port)")->capture_default_str();
  cli.add_option("--hold", hold, "how long each request is held: 10ms, 500us, 1s")
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  try {
    const int signals = signal_descriptor();
    // Timers fire when asked, not up to 50 us later (the default slack).
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    socklen_t length = 0;
    const sockaddr_storage address = parse_listen(listen, length);
    hold::HoldServer server(address, length, parse_hold(hold), raise_open_files());
    fmt::print("hold-server: listening on {}:{} hold {}\n", listen.substr(0, listen.rfind(':')),
               server.port(), hold);
    std::fflush(stdout);
    server.run(signals);
    const hold::Counts& c = server.counts();
    fmt::print("hold-server: accepted {} requests {} replies {} dropped {}\n", c.accepted,
               c.requests, c.replies, c.dropped);
    fmt::print("hold-server: {}\n", hold::summarize_holds(server.holds_ns()));
    std::fflush(stdout);
  } catch (const std::exception& error) {
    fmt::print(stderr, "hold-server: {}\n", error.what());
    return 1;
  }
  return 0;
}
