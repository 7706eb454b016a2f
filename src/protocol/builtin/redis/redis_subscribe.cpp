// subscribe: SUBSCRIBE to each channel (one request per channel, sent
// together), then the messages arrive between commands, taken by the push
// handler (redis_push.cpp) and counted per channel.
#include <fmt/format.h>

#include "protocol/builtin/redis/redis_parts.hpp"
#include "protocol/builtin/redis/resp_request.hpp"
#include "protocol/builtin/redis/resp_view.hpp"
#include "swarm/resp_parser.hpp"

namespace swarm::protocol::builtin::redis {
namespace {

class Subscribe final : public BoundCommand {
 public:
  explicit Subscribe(std::vector<RespRequest> requests) : requests_(std::move(requests)) {}

  Task<void> run(Call& call) const override {
    Client& client = call.client();
    // From now on, messages may come before the confirmations.
    call.state<RedisState>().subscribed = true;
    const auto count = static_cast<std::uint32_t>(requests_.size());
    {
      BufferPool::Lease batch = call.buffers().lend();
      const Substitutions with = call.next_request();
      for (const RespRequest& request : requests_) request.render(*batch, with);
      if (co_await client.send_pipelined(*batch, count) != IoStatus::ok) co_return;
    }
    RespParser parser;
    std::optional<std::string> problem;
    for (std::uint32_t i = 0; i < count; ++i) {
      Reply reply = co_await client.read_reply(parser);
      if (reply.status != IoStatus::ok) co_return;
      count_reply(reply.data, client, false);
      if (error_word(reply.data) || problem) continue;
      auto confirmation = pubsub_message(reply.data);
      if (!confirmation || confirmation->kind != "subscribe") {
        problem = fmt::format("unexpected reply to SUBSCRIBE: {}", reply.data.substr(0, 60));
      }
    }
    if (problem) throw std::runtime_error(*problem);
  }

 private:
  std::vector<RespRequest> requests_;  // SUBSCRIBE channel, one per channel
};

void add_channel(std::vector<RespRequest>& requests, const std::string& channel,
                 plan::SourceLocation where, std::string_view what) {
  RespRequest request;
  request.word("SUBSCRIBE").word(Payload(TextTemplate::compile(channel, where, what)));
  requests.push_back(std::move(request));
}

}  // namespace

std::unique_ptr<BoundCommand> bind_subscribe(const ArgReader& args, std::uint32_t) {
  std::vector<RespRequest> requests;
  if (auto channel = args.text("channel")) {
    add_channel(requests, *channel, args.where("channel"), args.what("channel"));
  }
  if (const plan::Value* list = args.find("channels")) {
    for (const plan::Value& channel : *list->as_list()) {
      add_channel(requests, scalar_text(channel), channel.where, args.what("channels"));
    }
  }
  if (requests.empty()) {
    throw BindError(args.where("channels"),
                    fmt::format("command '{}' needs arg 'channel' (text) or 'channels' (a list "
                                "of text)",
                                args.command()));
  }
  return std::make_unique<Subscribe>(std::move(requests));
}

}  // namespace swarm::protocol::builtin::redis
