#include "control/agent_client.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "control/agent_list.hpp"
#include "web/http_client.hpp"

namespace swarm::control {
namespace {

/// The answer's body when its status is 200; AgentError otherwise.
asio::awaitable<std::string> call(asio::ip::tcp::endpoint agent, const AgentAccess& access,
                                  std::string method, std::string target, std::string body) {
  web::ClientRequest request{std::move(method), std::move(target), to_string(agent),
                             std::move(body), access.token};
  web::HttpReply reply;
  try {
    reply = co_await web::http_fetch(agent, std::move(request), {access.timeout});
  } catch (const web::HttpClientError& error) {
    throw AgentError(error.what());
  }
  if (reply.status == 401 || reply.status == 403) {
    throw AgentError(fmt::format(
        "refused us ({}): give the agents' token (--agent-token-file, or the console's)",
        reply.status));
  }
  if (reply.status == 404) {
    throw AgentError("answers 404: not a swarm agent, or one too old for `swarm control`");
  }
  // A command's refusal (409) or a bad request (400) still has its reason.
  if (reply.status != 200 && reply.status != 409 && reply.status != 400) {
    throw AgentError(fmt::format("answered HTTP {}", reply.status));
  }
  co_return std::move(reply.body);
}

AgentReply reply_of(const std::string& body) {
  AgentReply out;
  try {
    const auto json = nlohmann::json::parse(body);
    out.ok = json.value("ok", false);
    out.reply = json.contains("reply") ? json.at("reply").get<std::string>()
                                       : json.value("error", std::string("no reply"));
    if (json.contains("warnings")) {
      out.warnings = json.at("warnings").get<std::vector<std::string>>();
    }
  } catch (const nlohmann::json::exception& error) {
    throw AgentError(fmt::format("answered what is not JSON: {}", error.what()));
  }
  return out;
}

}  // namespace

asio::awaitable<stats::RunSnapshot> fetch_snapshot(asio::ip::tcp::endpoint agent,
                                                   const AgentAccess& access) {
  const std::string body = co_await call(agent, access, "GET", "/api/snapshot", "");
  try {
    co_return stats::parse_snapshot_json(body);
  } catch (const std::invalid_argument& error) {
    throw AgentError(fmt::format("its snapshot cannot be read: {}", error.what()));
  }
}

asio::awaitable<std::string> fetch_config(asio::ip::tcp::endpoint agent,
                                          const AgentAccess& access) {
  co_return co_await call(agent, access, "GET", "/api/config", "");
}

std::string share_body(const AgentShare& share) {
  nlohmann::ordered_json body = nlohmann::ordered_json::object();
  if (share.connections) body["n"] = *share.connections;
  if (share.rate) body["r"] = *share.rate;
  // Microseconds are enough, and keep the number exact in JSON.
  if (share.at_unix) body["at"] = std::round(*share.at_unix * 1e6) / 1e6;
  return body.dump();
}

asio::awaitable<AgentReply> send_share(asio::ip::tcp::endpoint agent, const AgentAccess& access,
                                       AgentShare share) {
  co_return reply_of(co_await call(agent, access, "POST", "/api/target", share_body(share)));
}

asio::awaitable<AgentReply> send_stop(asio::ip::tcp::endpoint agent, const AgentAccess& access) {
  co_return reply_of(co_await call(agent, access, "POST", "/api/stop", ""));
}

}  // namespace swarm::control
