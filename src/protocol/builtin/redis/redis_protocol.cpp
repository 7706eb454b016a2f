// The redis protocol's description: its commands and their typed args (the
// table plans are checked against, and `swarm --protocols` prints), its
// on_connect settings, its state and its push handler.
#include <fmt/format.h>

#include "protocol/builtin/redis/redis.hpp"
#include "protocol/builtin/redis/redis_parts.hpp"

namespace swarm::protocol::builtin {
namespace {

using namespace redis;

std::string templated(std::string_view help) {
  return fmt::format("{} ({})", help, kTemplateHelp);
}

ArgSpec key() {
  return {"key", ArgType::text, true, templated("the key")};
}
ArgSpec value() {
  return {"value", ArgType::text, false, templated("the value; or give size")};
}
ArgSpec size() {
  return {"size", ArgType::integer, false, "the value as this many bytes, made once at load"};
}

std::vector<CommandDef> redis_commands() {
  return {
      {{"ping", std::vector<ArgSpec>{}, "PING"}, bind_ping},
      {{"get", std::vector<ArgSpec>{key()}, "GET key; counts hit and miss"}, bind_get},
      {{"set",
        std::vector<ArgSpec>{key(),
                             value(),
                             size(),
                             {"ex", ArgType::integer, false, "expire after this many seconds"}},
        "SET key value [EX ex]"},
       bind_set},
      {{"del", std::vector<ArgSpec>{key()}, "DEL key"}, bind_del},
      {{"incr", std::vector<ArgSpec>{key()}, "INCR key"}, bind_incr},
      {{"lpush", std::vector<ArgSpec>{key(), value(), size()}, "LPUSH key value"}, bind_lpush},
      {{"rpop", std::vector<ArgSpec>{key()}, "RPOP key; counts hit and miss"}, bind_rpop},
      {{"hset",
        std::vector<ArgSpec>{
            key(), {"field", ArgType::text, true, templated("the field")}, value(), size()},
        "HSET key field value"},
       bind_hset},
      {{"hget", std::vector<ArgSpec>{key(), {"field", ArgType::text, true, templated("the field")}},
        "HGET key field; counts hit and miss"},
       bind_hget},
      {{"publish",
        std::vector<ArgSpec>{
            {"channel", ArgType::text, true, templated("the channel")},
            {"payload", ArgType::text, false, templated("the message; or give size")},
            {"size", ArgType::integer, false, "the message as this many bytes, made once"},
            {"stamp", ArgType::boolean, false,
             "start the message with swarm's send time, for publish-to-receive latency"}},
        "PUBLISH channel payload"},
       bind_publish},
      {{"subscribe",
        std::vector<ArgSpec>{
            {"channel", ArgType::text, false, templated("a channel")},
            {"channels", ArgType::text_list, false, "channels (each takes substitutions)"}},
        "SUBSCRIBE to each channel; then messages are counted per channel as they come"},
       bind_subscribe,
       false},
      {{"command",
        std::vector<ArgSpec>{{"words", ArgType::text_list, true,
                              "the command and its args, e.g. [ZADD, \"z:{id}\", 1, m] (each "
                              "takes substitutions)"}},
        "any command, as words; reported as 'command WORD'"},
       bind_command,
       true,
       command_row},
  };
}

class RedisProtocol final : public Protocol {
 public:
  std::string_view name() const override { return "redis"; }
  std::string_view summary() const override {
    return "Redis over RESP2; RESP3 with on_connect: {hello: 3}. Error replies are counted by "
           "their first word";
  }
  const std::vector<CommandDef>& commands() const override { return commands_; }
  std::optional<std::vector<ArgSpec>> on_connect_args() const override {
    return std::vector<ArgSpec>{
        {"hello", ArgType::integer, false, "2 or 3: HELLO with that protocol version (3: RESP3)"},
        {"username", ArgType::text, false, "AUTH (or HELLO AUTH) as this user"},
        {"password", ArgType::text, false, "AUTH with this password"},
        {"db", ArgType::integer, false, "SELECT this database"},
    };
  }
  std::unique_ptr<ConnectionSetup> bind_connection(const ArgReader& settings) const override {
    return bind_setup(settings);
  }
  std::size_t state_bytes() const override { return sizeof(RedisState); }
  std::unique_ptr<PushHandler> make_push_handler() const override {
    return redis::make_push_handler();
  }
  ProtocolDefaults defaults() const override {
    // A bulk string may be 512 MiB, plus its header.
    return {std::size_t{512} << 20 | 1024};
  }

 private:
  std::vector<CommandDef> commands_ = redis_commands();
};

}  // namespace

const Protocol& redis_protocol() {
  static const RedisProtocol protocol;
  return protocol;
}

}  // namespace swarm::protocol::builtin
