#include "engine/capacity.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <fstream>

namespace swarm::engine {
namespace {

constexpr std::uint64_t kReservedFiles = 32;  // console, epoll, logs, modules

}  // namespace

std::uint64_t Capacity::by_files() const noexcept {
  return files > kReservedFiles ? files - kReservedFiles : 0;
}

std::uint64_t Capacity::by_ports() const noexcept {
  std::uint64_t ports = port_high >= port_low ? port_high - port_low + 1 : 0;
  return ports * std::max<std::size_t>(1, sources) * std::max<std::size_t>(1, servers);
}

std::uint64_t Capacity::connections() const noexcept {
  return std::min(by_files(), by_ports());
}

std::string Capacity::describe() const {
  return fmt::format(
      "capacity: open files {} (was {}, hard {}) -> {} connections; ports {}-{} x {} source(s) x "
      "{} server address(es) -> {} connections",
      files, files_before, files_hard, by_files(), port_low, port_high, sources, servers,
      by_ports());
}

std::optional<std::string> Capacity::warning_for(std::uint64_t target) const {
  if (target > by_files()) {
    return fmt::format(
        "warning: {} connections asked, but the open-files limit ({}) allows about {}; raise it "
        "(ulimit -n, or LimitNOFILE / nofile in limits.conf) to at least {}",
        target, files, by_files(), target + kReservedFiles);
  }
  if (target > by_ports()) {
    return fmt::format(
        "warning: {} connections asked, but {} source address(es) x {} ports reach about {}; add "
        "--source addresses (e.g. --source 127.0.0.1-127.0.0.20) or widen "
        "net.ipv4.ip_local_port_range",
        target, sources, port_high - port_low + 1, by_ports());
  }
  return std::nullopt;
}

Capacity probe_capacity(std::size_t sources, std::size_t servers) {
  Capacity capacity;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    capacity.files_before = limit.rlim_cur;
    capacity.files_hard = limit.rlim_max;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) == 0) {
      capacity.files = limit.rlim_cur;
    } else {
      capacity.files = capacity.files_before;
    }
  }
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  range >> capacity.port_low >> capacity.port_high;
  capacity.sources = sources;
  capacity.servers = servers;
  return capacity;
}

}  // namespace swarm::engine
