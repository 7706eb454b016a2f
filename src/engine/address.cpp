#include "engine/address.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace swarm::engine {
namespace {

SocketAddress ipv4(std::uint32_t host_order, std::uint16_t port) {
  SocketAddress address;
  auto* in = reinterpret_cast<sockaddr_in*>(&address.storage);
  in->sin_family = AF_INET;
  in->sin_port = htons(port);
  in->sin_addr.s_addr = htonl(host_order);
  address.length = sizeof(sockaddr_in);
  return address;
}

std::uint32_t parse_ipv4(std::string_view text, std::string_view whole) {
  in_addr parsed{};
  if (::inet_pton(AF_INET, std::string(text).c_str(), &parsed) != 1) {
    throw std::invalid_argument("bad source address '" + std::string(text) + "' in '" +
                                std::string(whole) + "'");
  }
  return ntohl(parsed.s_addr);
}

std::string trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

void add_one_source(std::string_view item, std::string_view whole,
                    std::vector<SocketAddress>& out) {
  constexpr std::uint64_t kMaxAddresses = 65536;
  if (auto dash = item.find('-'); dash != std::string_view::npos) {
    std::uint32_t first = parse_ipv4(item.substr(0, dash), whole);
    std::uint32_t last = parse_ipv4(item.substr(dash + 1), whole);
    if (last < first || last - first >= kMaxAddresses) {
      throw std::invalid_argument("bad source range '" + std::string(item) + "'");
    }
    for (std::uint64_t a = first; a <= last; ++a)
      out.push_back(ipv4(static_cast<std::uint32_t>(a), 0));
    return;
  }
  if (auto slash = item.find('/'); slash != std::string_view::npos) {
    std::uint32_t base = parse_ipv4(item.substr(0, slash), whole);
    int bits = -1;
    auto digits = item.substr(slash + 1);
    std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (bits < 16 || bits > 32) {
      throw std::invalid_argument("bad source prefix '" + std::string(item) + "' (use /16../32)");
    }
    std::uint64_t count = std::uint64_t{1} << (32 - bits);
    base &= bits == 32 ? ~0u : ~((1u << (32 - bits)) - 1);
    for (std::uint64_t a = 0; a < count; ++a)
      out.push_back(ipv4(static_cast<std::uint32_t>(base + a), 0));
    return;
  }
  std::string host(item);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  SocketAddress address;
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  if (::inet_pton(AF_INET6, host.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    address.length = sizeof(sockaddr_in6);
    out.push_back(address);
    return;
  }
  out.push_back(ipv4(parse_ipv4(host, whole), 0));
}

}  // namespace

std::pair<std::string, std::uint16_t> split_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      throw std::invalid_argument("bad address '" + std::string(text) + "' (expected [v6]:port)");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      throw std::invalid_argument("bad address '" + std::string(text) +
                                  "' (expected host:port or [v6]:port)");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || error != std::errc() || end != port.data() + port.size() || value == 0 ||
      value > 65535) {
    throw std::invalid_argument("bad address '" + std::string(text) + "' (port must be 1-65535)");
  }
  return {std::string(host), static_cast<std::uint16_t>(value)};
}

std::vector<SocketAddress> resolve(std::string_view text) {
  auto [host, port] = split_host_port(text);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  int status = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
  if (status != 0) {
    throw std::runtime_error("cannot resolve '" + std::string(text) + "': " + gai_strerror(status));
  }
  std::vector<SocketAddress> addresses;
  for (addrinfo* item = found; item != nullptr; item = item->ai_next) {
    SocketAddress address;
    std::memcpy(&address.storage, item->ai_addr, item->ai_addrlen);
    address.length = item->ai_addrlen;
    addresses.push_back(address);
  }
  ::freeaddrinfo(found);
  return addresses;
}

std::vector<SocketAddress> reachable_from(std::vector<SocketAddress> addresses,
                                          const std::vector<SocketAddress>& sources) {
  if (sources.empty()) return addresses;
  std::erase_if(addresses, [&](const SocketAddress& address) {
    return std::none_of(sources.begin(), sources.end(), [&](const SocketAddress& source) {
      return source.storage.ss_family == address.storage.ss_family;
    });
  });
  return addresses;
}

bool is_numeric_host(std::string_view host) {
  in6_addr scratch{};
  const std::string text(host);
  return ::inet_pton(AF_INET, text.c_str(), &scratch) == 1 ||
         ::inet_pton(AF_INET6, text.c_str(), &scratch) == 1;
}

ServerTarget resolve_server(std::string_view text, const std::vector<SocketAddress>& sources) {
  ServerTarget target;
  target.name = std::string(text);
  target.literal = is_numeric_host(split_host_port(text).first);
  target.addresses = reachable_from(resolve(text), sources);
  if (target.addresses.empty()) {
    throw std::runtime_error("'" + std::string(text) +
                             "' has no address of the --source addresses' family (IPv4/IPv6)");
  }
  return target;
}

std::vector<SocketAddress> parse_sources(std::string_view text) {
  std::vector<SocketAddress> sources;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string item = trim(text.substr(start, comma - start));
    if (!item.empty()) add_one_source(item, text, sources);
    start = comma + 1;
  }
  if (sources.empty())
    throw std::invalid_argument("no source address in '" + std::string(text) + "'");
  return sources;
}

int source_bind_error(const SocketAddress& source) {
  const int fd = ::socket(source.storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno;
  const int yes = 1;
  // Check the address only: no port is taken (the connects pick theirs).
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &yes, sizeof yes);
  const int error =
      ::bind(fd, reinterpret_cast<const sockaddr*>(&source.storage), source.length) == 0 ? 0
                                                                                         : errno;
  ::close(fd);
  return error;
}

std::string to_string(const SocketAddress& address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.storage.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address.storage);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(in6->sin6_port));
  }
  const auto* in = reinterpret_cast<const sockaddr_in*>(&address.storage);
  ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
  return std::string(text) + ":" + std::to_string(ntohs(in->sin_port));
}

}  // namespace swarm::engine
