// What a redis connection says first, per the plan's on_connect settings:
// HELLO (with AUTH) to choose RESP3, or AUTH alone, then SELECT. Sent
// together; any error reply fails the connection (it is retried after a
// backoff), with redis's words.
#include <fmt/format.h>

#include "protocol/builtin/redis/redis_parts.hpp"
#include "protocol/builtin/redis/resp_request.hpp"
#include "protocol/builtin/redis/resp_view.hpp"
#include "swarm/resp_parser.hpp"

namespace swarm::protocol::builtin::redis {
namespace {

class Setup final : public ConnectionSetup {
 public:
  Setup(std::string requests, std::uint32_t count, bool resp3)
      : requests_(std::move(requests)), count_(count), resp3_(resp3) {}

  Task<void> on_connect(Call& call) const override {
    Client& client = call.client();
    call.state<RedisState>().resp3 = resp3_;
    if (co_await client.send_pipelined(requests_, count_) != IoStatus::ok) co_return;
    RespParser parser;
    std::optional<std::string> problem;
    for (std::uint32_t i = 0; i < count_; ++i) {
      Reply reply = co_await client.read_reply(parser);
      if (reply.status != IoStatus::ok) co_return;
      count_reply(reply.data, client, false);
      if (error_word(reply.data) && !problem) {
        problem = fmt::format("redis refused: {}", reply.data.substr(0, reply.data.find('\r')));
      }
    }
    if (problem) throw std::runtime_error(*problem);
  }

 private:
  std::string requests_;  // HELLO/AUTH/SELECT, encoded once
  std::uint32_t count_;   // how many
  bool resp3_;            // HELLO 3: replies and pushes are RESP3
};

}  // namespace

std::unique_ptr<ConnectionSetup> bind_setup(const ArgReader& settings) {
  const std::int64_t hello = settings.integer("hello", 2, 3, 0);
  auto username = settings.text("username");
  auto password = settings.text("password");
  if (username && !password) settings.fail("username", "needs 'password' too");
  std::string requests;
  std::uint32_t count = 0;
  if (hello != 0) {
    const std::string version = std::to_string(hello);
    requests += password ? resp({"HELLO", version, "AUTH", username.value_or("default"), *password})
                         : resp({"HELLO", version});
    ++count;
  } else if (password) {
    requests += username ? resp({"AUTH", *username, *password}) : resp({"AUTH", *password});
    ++count;
  }
  if (settings.has("db")) {
    requests += resp({"SELECT", std::to_string(settings.integer("db", 0, INT32_MAX, 0))});
    ++count;
  }
  if (count == 0) return nullptr;
  return std::make_unique<Setup>(std::move(requests), count, hello == 3);
}

}  // namespace swarm::protocol::builtin::redis
