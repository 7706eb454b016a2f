// Messages redis sends a subscribed connection: framed like any reply,
// told from replies by their kind (message, pmessage, smessage), counted
// per channel, with the publish-to-receive latency of stamped ones.
#include "core/stamp.hpp"
#include "protocol/builtin/redis/redis_parts.hpp"
#include "protocol/builtin/redis/resp_view.hpp"
#include "swarm/resp_parser.hpp"

namespace swarm::protocol::builtin::redis {
namespace {

class RedisPush final : public PushHandler {
 public:
  ReplyParser& framer() override { return framer_; }

  bool is_push(Client& client, std::string_view message) override {
    // Only a subscribed connection gets messages: on any other, an array
    // that starts with "message" is a reply (LRANGE of such a list).
    if (!connection_state<RedisState>(client).subscribed) return false;
    if (!message.starts_with('*') && !message.starts_with('>')) return false;
    auto parts = pubsub_message(message);
    return parts && is_delivery(parts->kind);
  }

  CommandOutcome on_push(Client& client, std::string_view message) override {
    // Confirmations that arrive between commands are not messages.
    auto parts = pubsub_message(message);
    if (parts && is_delivery(parts->kind)) {
      client.count_received(parts->channel, core::read_stamp(parts->payload));
    }
    return {};
  }

 private:
  RespParser framer_;  // frames one message at a time
};

}  // namespace

std::unique_ptr<PushHandler> make_push_handler() {
  return std::make_unique<RedisPush>();
}

}  // namespace swarm::protocol::builtin::redis
