#include "control/agent_list.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/address.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <memory>
#include <stdexcept>

#include "engine/address.hpp"

namespace swarm::control {
namespace {

constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::string_view kDns = "dns:";

AgentSource parse_entry(std::string_view entry) {
  AgentSource source;
  source.every_address = entry.starts_with(kDns);
  if (source.every_address) entry.remove_prefix(kDns.size());
  try {
    auto [host, port] = engine::split_host_port(entry);
    source.host = std::move(host);
    source.port = port;
  } catch (const std::exception& error) {
    throw std::invalid_argument(
        fmt::format("--agents: '{}{}': {}", source.every_address ? kDns : "", entry, error.what()));
  }
  return source;
}

/// Resolves one source; a name the resolver does not answer within
/// `timeout` is a problem, like one it does not know.
asio::awaitable<void> resolve_one(const AgentSource& source, std::chrono::milliseconds timeout,
                                  Resolved& out) {
  asio::error_code literal_error;
  const auto address = asio::ip::make_address(source.host, literal_error);
  if (!literal_error) {
    out.endpoints.emplace_back(address, source.port);
    co_return;
  }
  const auto executor = co_await asio::this_coro::executor;
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(executor);
  asio::steady_timer deadline(executor, timeout);
  deadline.async_wait([weak = std::weak_ptr(resolver)](asio::error_code error) {
    if (const auto held = weak.lock(); held && !error) held->cancel();
  });
  const auto [error, results] =
      co_await resolver->async_resolve(source.host, std::to_string(source.port), use_nothrow);
  deadline.cancel();
  if (error) {
    out.problems.push_back(fmt::format("{}: {}", source.text(), error.message()));
    co_return;
  }
  for (const auto& entry : results) {
    out.endpoints.push_back(entry.endpoint());
    if (!source.every_address) break;  // host:port is one agent
  }
}

}  // namespace

std::string AgentSource::text() const {
  const std::string address =
      host.find(':') != std::string::npos ? fmt::format("[{}]", host) : host;
  return fmt::format("{}{}:{}", every_address ? kDns : "", address, port);
}

std::vector<AgentSource> parse_agent_list(const std::string& list) {
  std::vector<AgentSource> sources;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t end = std::min(list.find(',', start), list.size());
    const std::string_view entry = std::string_view(list).substr(start, end - start);
    if (entry.empty()) {
      throw std::invalid_argument(
          fmt::format("--agents '{}': an empty entry (expected host:port,host:port or "
                      "dns:NAME:PORT)",
                      list));
    }
    sources.push_back(parse_entry(entry));
    start = end + 1;
  }
  return sources;
}

std::size_t listed_agents(const std::vector<AgentSource>& sources) {
  return sources.size();
}

asio::awaitable<Resolved> resolve_agents(std::vector<AgentSource> sources,
                                         std::chrono::milliseconds timeout) {
  Resolved out;
  for (const auto& source : sources) co_await resolve_one(source, timeout, out);
  // An address listed twice (or by two names) is one agent.
  std::vector<asio::ip::tcp::endpoint> unique;
  for (const auto& endpoint : out.endpoints) {
    if (std::find(unique.begin(), unique.end(), endpoint) == unique.end()) {
      unique.push_back(endpoint);
    }
  }
  out.endpoints = std::move(unique);
  co_return out;
}

std::string to_string(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), endpoint.port());
  return fmt::format("{}:{}", address.to_string(), endpoint.port());
}

}  // namespace swarm::control
