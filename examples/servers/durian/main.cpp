// durian-server: a small multi-threaded chat server speaking "durian", the
// line protocol of swarm's examples (examples/protocols/durian.lua). It is
// the server the examples and the end-to-end tests load, and its own counts
// (printed, and returned by `stats`) are their oracle.
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "server.hpp"
#include "swarm/version.hpp"

namespace {

using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// "127.0.0.1:8080" or "[::1]:8080"; nothing when it is neither.
std::optional<tcp::endpoint> parse_endpoint(const std::string& text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string port = text.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      std::stoul(port) > 65535) {
    return std::nullopt;
  }
  asio::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return tcp::endpoint(address, static_cast<unsigned short>(std::stoul(port)));
}

std::string format_endpoint(const tcp::endpoint& endpoint) {
  if (endpoint.address().is_v6()) {
    return fmt::format("[{}]:{}", endpoint.address().to_string(), endpoint.port());
  }
  return fmt::format("{}:{}", endpoint.address().to_string(), endpoint.port());
}

// Each connection is a descriptor: allow as many as the hard limit lets us.
// Returns the limit now in force.
rlim_t raise_open_files_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &limit) != 0) std::perror("durian-server: setrlimit");
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

void print_counts(const durian::Totals& now, double rate_per_s) {
  fmt::print(
      "durian-server: connections {} accepted {} requests {} ({:.0f}/s) closed {} pushed {}\n",
      now.connections, now.accepted, now.requests, rate_per_s, now.closed, now.pushed);
  std::fflush(stdout);
}

// Prints the server's counts every `interval`, with the request rate since
// the line before.
asio::awaitable<void> report_loop(const durian::Server& server, Clock::duration interval) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  durian::Totals before = server.totals();
  Clock::time_point before_time = Clock::now();
  for (;;) {
    timer.expires_after(interval);
    auto [ec] = co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    const durian::Totals now = server.totals();
    const Clock::time_point now_time = Clock::now();
    const double seconds = std::chrono::duration<double>(now_time - before_time).count();
    print_counts(now,
                 seconds > 0 ? static_cast<double>(now.requests - before.requests) / seconds : 0.0);
    before = now;
    before_time = now_time;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"durian-server: the demo chat server for swarm's examples", "durian-server"};
  app.set_version_flag("--version", "durian-server " SWARM_VERSION,
                       "Print the version (swarm's) and exit");
  std::string listen = "127.0.0.1:8080";
  std::size_t threads = std::max(1u, std::thread::hardware_concurrency());
  double interval_s = 5;
  app.add_option("-l,--listen", listen, "Address to listen on: 127.0.0.1:8080 or [::1]:8080")
      ->capture_default_str();
  app.add_option("-t,--threads", threads, "Worker threads (default: one per core)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1024}));
  app.add_option("-i,--interval", interval_s, "Seconds between count lines; 0: never")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;  // --help, --version: 0; a bad flag: 2, as swarm
  }

  const std::optional<tcp::endpoint> endpoint = parse_endpoint(listen);
  if (!endpoint) {
    fmt::print(stderr, "durian-server: bad --listen '{}': want IP:PORT, e.g. [::1]:8080\n", listen);
    return 2;
  }
  const rlim_t open_files = raise_open_files_limit();

  // asio turns SIGINT/SIGTERM into a completion on the main thread's own
  // loop (which also prints the counts), whichever thread the kernel picked.
  asio::io_context control;
  asio::signal_set signals(control, SIGINT, SIGTERM);
  signals.async_wait([&control](const asio::error_code&, int) { control.stop(); });

  std::optional<durian::Server> server;
  try {
    server.emplace(*endpoint, threads);
  } catch (const std::system_error& e) {
    fmt::print(stderr, "durian-server: cannot listen on {}: {}\n", listen, e.code().message());
    return 1;
  }
  server->start();
  fmt::print("durian-server: {} threads, open files limit {}\n", threads, open_files);
  // Tests wait for this line (and read the port from it when they asked for 0).
  fmt::print("durian-server: listening on {}\n", format_endpoint(server->local_endpoint()));
  std::fflush(stdout);

  if (interval_s > 0) {
    const auto interval =
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s));
    asio::co_spawn(control, report_loop(*server, interval), asio::detached);
  }
  control.run();

  server->stop();
  const durian::Totals totals = server->totals();
  fmt::print("durian-server: stopped: accepted {} requests {} closed {} pushed {}\n",
             totals.accepted, totals.requests, totals.closed, totals.pushed);
  return 0;
}
