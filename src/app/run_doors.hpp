// The doors of a run: the console and the HTTP endpoint, built from their
// flags with the checks both kinds of run need (a single swarm, a fleet's
// controller): loopback unless a token is given, one token for both, a
// port in use refused before anything starts.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "app/http_api.hpp"
#include "app/run_control.hpp"
#include "console/access_token.hpp"
#include "console/console_server.hpp"
#include "stats/json_report.hpp"
#include "web/http_access.hpp"
#include "web/http_server.hpp"

namespace swarm::app {

/// A problem found before anything starts: exit status 2.
struct SetupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The console's flags.
struct ConsoleFlags {
  std::string listen;                       // --listen: host:port
  std::size_t max_sessions = 2;             // --max-sessions
  std::string token_file;                   // --console-token-file (else SWARM_CONSOLE_TOKEN)
  std::chrono::nanoseconds idle_timeout{};  // --console-idle-timeout (0: never)
  std::string log;                          // --console-log (empty: stderr)
};

/// `address` ("127.0.0.1:8411", "[::1]:0") as an endpoint; SetupError
/// naming `flag` otherwise.
asio::ip::tcp::endpoint listen_endpoint(const std::string& flag, const std::string& address);

/// Who may use the console, and how. Beyond loopback a token is required
/// (SetupError otherwise): anyone reaching the port could steer the load.
console::ConsoleServerOptions console_options(const ConsoleFlags& flags);

/// The HTTP endpoint of a run (--http): who may use it, what it serves, the
/// listening socket. Bound at construction: a port in use is a SetupError.
struct HttpEndpoint {
  HttpEndpoint(asio::io_context& io, const std::string& flag, RunControl& control,
               const stats::RunConfig& config, const std::optional<console::AccessToken>& token,
               stats::AgentIdentity identity);

  web::HttpAccess access;  // who may use it
  HttpApi api;             // what it serves
  web::HttpServer server;  // the listening socket and its sessions
};

/// The endpoint for `--http flag`, or null when the flag is empty. Throws
/// SetupError.
std::unique_ptr<HttpEndpoint> open_http(asio::io_context& io, const std::string& flag,
                                        RunControl& control, const stats::RunConfig& config,
                                        const std::optional<console::AccessToken>& token,
                                        stats::AgentIdentity identity);

}  // namespace swarm::app
