#include "app/run_doors.hpp"

#include <fmt/format.h>

#include <asio/ip/address.hpp>
#include <cstdlib>

#include "app/run_outputs.hpp"
#include "console/console_log.hpp"
#include "engine/address.hpp"

namespace swarm::app {
namespace {

/// Who may use --http: the console's token (the same secret, checked in
/// constant time), with failures slowed by a throttle of the endpoint's own.
/// Beyond loopback anyone who reaches the port could steer the load, so a
/// token is required there.
web::HttpAccess http_access(const std::string& flag, const asio::ip::tcp::endpoint& endpoint,
                            const std::optional<console::AccessToken>& secret) {
  std::optional<web::TokenCheck> token;
  if (secret) {
    auto throttle = std::make_shared<console::AuthThrottle>();
    token = web::TokenCheck{
        [secret = *secret](std::string_view offered) { return secret.matches(offered); },
        [throttle] { return throttle->fail(std::chrono::steady_clock::now()); }};
  }
  if (!token && !endpoint.address().is_loopback()) {
    throw SetupError(fmt::format(
        "--http {}: beyond loopback anyone who reaches this port could steer the load; give "
        "a token (--console-token-file FILE or SWARM_CONSOLE_TOKEN) or serve on loopback "
        "(127.0.0.1:PORT)",
        flag));
  }
  return web::HttpAccess(std::move(token));
}

}  // namespace

asio::ip::tcp::endpoint listen_endpoint(const std::string& flag, const std::string& address) {
  try {
    auto [host, port] = engine::split_host_port(address);
    return {asio::ip::make_address(host), port};
  } catch (const std::exception& error) {
    throw SetupError(fmt::format("{}: {}", flag, error.what()));
  }
}

console::ConsoleServerOptions console_options(const ConsoleFlags& flags) {
  console::ConsoleServerOptions settings;
  settings.max_sessions = flags.max_sessions;
  settings.idle_timeout = flags.idle_timeout;
  try {
    settings.token =
        console::AccessToken::load(flags.token_file, std::getenv("SWARM_CONSOLE_TOKEN"));
    if (!flags.log.empty()) settings.log = std::make_shared<console::ConsoleLog>(flags.log);
  } catch (const std::exception& error) {
    throw SetupError(error.what());
  }
  const asio::ip::tcp::endpoint endpoint = listen_endpoint("--listen", flags.listen);
  if (!settings.token && !endpoint.address().is_loopback()) {
    throw SetupError(fmt::format(
        "--listen {}: the console would be reachable from other hosts, and anyone reaching it "
        "could steer the load; give it a token (--console-token-file FILE or "
        "SWARM_CONSOLE_TOKEN), or listen on loopback (127.0.0.1:PORT)",
        flags.listen));
  }
  return settings;
}

HttpEndpoint::HttpEndpoint(asio::io_context& io, const std::string& flag, RunControl& control,
                           const stats::RunConfig& config,
                           const std::optional<console::AccessToken>& token,
                           stats::AgentIdentity identity)
    : access(http_access(flag, listen_endpoint("--http", flag), token)),
      api(control, stats::format_config_json(config),
          {swarm_version(), config.protocol,
           std::chrono::duration<double>(config.started_at.time_since_epoch()).count()},
          std::move(identity)),
      server(io, listen_endpoint("--http", flag), api, access) {
  api.attach(&server);
  control.observe(&api);
}

std::unique_ptr<HttpEndpoint> open_http(asio::io_context& io, const std::string& flag,
                                        RunControl& control, const stats::RunConfig& config,
                                        const std::optional<console::AccessToken>& token,
                                        stats::AgentIdentity identity) {
  if (flag.empty()) return nullptr;
  try {
    return std::make_unique<HttpEndpoint>(io, flag, control, config, token, std::move(identity));
  } catch (const SetupError&) {
    throw;
  } catch (const std::exception& error) {
    throw SetupError(fmt::format("--http: {}", error.what()));
  }
}

}  // namespace swarm::app
