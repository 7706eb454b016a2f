// The redis commands that are one request and one reply each (all but
// subscribe): each binds its args into a RespRequest once.
#include <fmt/format.h>

#include "protocol/builtin/redis/redis_parts.hpp"
#include "protocol/builtin/redis/resp_request.hpp"
#include "protocol/builtin/redis/resp_view.hpp"
#include "swarm/resp_parser.hpp"

namespace swarm::protocol::builtin::redis {
namespace {

/// A command sent as `request`, its replies counted by kind.
class RedisCommand final : public RequestReply<RespParser> {
 public:
  RedisCommand(RespRequest request, std::uint32_t pipeline, bool read)
      : RequestReply(pipeline), request_(std::move(request)), read_(read) {
    if (request_.is_constant()) build_once();
  }

 private:
  void render(std::string& out, const Substitutions& with) const override {
    request_.render(out, with);
  }
  std::optional<std::string> check(std::string_view reply, Client& client) const override {
    count_reply(reply, client, read_);
    return std::nullopt;
  }

  RespRequest request_;  // the command's words
  bool read_;            // a read: count hits and misses
};

/// A text arg (required by the table) as a word with substitutions.
Payload text_word(const ArgReader& args, std::string_view name) {
  return Payload(TextTemplate::compile(*args.text(name), args.where(name), args.what(name)));
}

/// The value: `name` as text, or `size` bytes; one of them is needed.
Payload value_word(const ArgReader& args, std::string_view name, bool stamp = false) {
  if (auto value = Payload::read(args, name, stamp)) return std::move(*value);
  throw BindError(args.where(name),
                  fmt::format("command '{}' needs arg '{}' (text) or 'size' (a whole number)",
                              args.command(), name));
}

std::unique_ptr<BoundCommand> make(RespRequest request, std::uint32_t pipeline, bool read = false) {
  return std::make_unique<RedisCommand>(std::move(request), pipeline, read);
}

/// NAME key: the commands that take just a key.
std::unique_ptr<BoundCommand> keyed(std::string_view name, const ArgReader& args,
                                    std::uint32_t pipeline, bool read = false) {
  RespRequest request;
  request.word(name).word(text_word(args, "key"));
  return make(std::move(request), pipeline, read);
}

}  // namespace

void count_reply(std::string_view reply, Client& client, bool read) {
  if (auto word = error_word(reply)) {
    // "-WRONGTYPE": as redis writes it. A word cut at 40 bytes keeps odd
    // servers from naming a kind per key.
    char kind[41];
    kind[0] = '-';
    const std::size_t size = std::min<std::size_t>(word->size(), sizeof kind - 1);
    word->copy(kind + 1, size);
    client.count_reply(std::string_view(kind, size + 1), true);
  } else if (read) {
    client.count_reply(is_nil(reply) ? "miss" : "hit", false);
  }
}

std::unique_ptr<BoundCommand> bind_ping(const ArgReader&, std::uint32_t pipeline) {
  RespRequest request;
  request.word("PING");
  return make(std::move(request), pipeline);
}

std::unique_ptr<BoundCommand> bind_get(const ArgReader& args, std::uint32_t pipeline) {
  return keyed("GET", args, pipeline, true);
}

std::unique_ptr<BoundCommand> bind_set(const ArgReader& args, std::uint32_t pipeline) {
  RespRequest request;
  request.word("SET").word(text_word(args, "key")).word(value_word(args, "value"));
  if (args.has("ex")) {
    request.word("EX").word(std::to_string(args.integer("ex", 1, INT32_MAX, 1)));
  }
  return make(std::move(request), pipeline);
}

std::unique_ptr<BoundCommand> bind_del(const ArgReader& args, std::uint32_t pipeline) {
  return keyed("DEL", args, pipeline);
}

std::unique_ptr<BoundCommand> bind_incr(const ArgReader& args, std::uint32_t pipeline) {
  return keyed("INCR", args, pipeline);
}

std::unique_ptr<BoundCommand> bind_lpush(const ArgReader& args, std::uint32_t pipeline) {
  RespRequest request;
  request.word("LPUSH").word(text_word(args, "key")).word(value_word(args, "value"));
  return make(std::move(request), pipeline);
}

std::unique_ptr<BoundCommand> bind_rpop(const ArgReader& args, std::uint32_t pipeline) {
  return keyed("RPOP", args, pipeline, true);
}

std::unique_ptr<BoundCommand> bind_hset(const ArgReader& args, std::uint32_t pipeline) {
  RespRequest request;
  request.word("HSET")
      .word(text_word(args, "key"))
      .word(text_word(args, "field"))
      .word(value_word(args, "value"));
  return make(std::move(request), pipeline);
}

std::unique_ptr<BoundCommand> bind_hget(const ArgReader& args, std::uint32_t pipeline) {
  RespRequest request;
  request.word("HGET").word(text_word(args, "key")).word(text_word(args, "field"));
  return make(std::move(request), pipeline, true);
}

std::unique_ptr<BoundCommand> bind_publish(const ArgReader& args, std::uint32_t pipeline) {
  RespRequest request;
  request.word("PUBLISH")
      .word(text_word(args, "channel"))
      .word(value_word(args, "payload", args.boolean("stamp", false)));
  return make(std::move(request), pipeline);
}

std::string command_row(const ArgReader& args) {
  const plan::Value* words = args.find("words");
  const plan::List* list = words != nullptr ? words->as_list() : nullptr;
  if (list == nullptr || list->empty()) return args.command();
  return args.command() + " " + scalar_text(list->front());
}

std::unique_ptr<BoundCommand> bind_command(const ArgReader& args, std::uint32_t pipeline) {
  const plan::List& words = *args.find("words")->as_list();
  if (words.empty()) args.fail("words", "expected at least the command's name");
  RespRequest request;
  for (std::size_t i = 0; i < words.size(); ++i) {
    request.word(Payload(TextTemplate::compile(scalar_text(words[i]), words[i].where,
                                               fmt::format("{} [{}]", args.what("words"), i + 1))));
  }
  return make(std::move(request), pipeline);
}

}  // namespace swarm::protocol::builtin::redis
