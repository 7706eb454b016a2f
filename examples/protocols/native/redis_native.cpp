// A native protocol module for Redis: the same commands as redis.lua, as C++
// coroutines. Build it with the project (it lands in build/modules/), then:
//   build/swarm -r 127.0.0.1:6379 -s examples/scripts/redis-native.yml -p build/modules
#include <stdexcept>
#include <string>
#include <string_view>
#include <swarm/module.hpp>
#include <swarm/reply_parsers.hpp>

namespace {

/// RESP multibulk: *N\r\n then $len\r\narg\r\n for each argument.
std::string resp(std::initializer_list<std::string_view> words) {
  std::string request = "*" + std::to_string(words.size()) + "\r\n";
  for (std::string_view word : words) {
    request += "$" + std::to_string(word.size()) + "\r\n";
    request.append(word);
    request += "\r\n";
  }
  return request;
}

/// Sends `request` and checks the reply starts with `expected`.
swarm::Task<void> expect(swarm::Client& client, std::string_view request,
                         std::string_view expected) {
  swarm::protocol::CrlfParser parser;  // a one-line reply: +OK, -ERR, :42
  swarm::Reply reply = co_await client.send_for_reply(request, parser);
  if (reply.status != swarm::IoStatus::ok) co_return;  // counted by swarm
  if (!reply.data.starts_with(expected)) {
    throw std::runtime_error("unexpected reply: " + std::string(reply.data.substr(0, 60)));
  }
}

swarm::Task<void> ping(swarm::Client& client, const swarm::Args&) {
  co_await expect(client, "PING\r\n", "+PONG");
}

swarm::Task<void> set(swarm::Client& client, const swarm::Args& args) {
  std::string request =
      resp({"SET", args.find("key").value_or("swarm:key"), args.find("value").value_or("swarm")});
  co_await expect(client, request, "+OK");
}

swarm::Task<void> incr(swarm::Client& client, const swarm::Args& args) {
  std::string request = resp({"INCR", args.find("key").value_or("swarm:counter")});
  co_await expect(client, request, ":");
}

swarm::Task<void> get(swarm::Client& client, const swarm::Args& args) {
  std::string request = resp({"GET", args.find("key").value_or("swarm:key")});
  swarm::protocol::RespParser parser;  // a bulk reply: $5\r\nhello\r\n or $-1\r\n
  swarm::Reply reply = co_await client.send_for_reply(request, parser);
  if (reply.status == swarm::IoStatus::ok && !reply.data.starts_with("$")) {
    throw std::runtime_error("unexpected reply: " + std::string(reply.data.substr(0, 60)));
  }
}

swarm::Task<void> close_connection(swarm::Client& client, const swarm::Args&) {
  client.close_connection();
  co_return;
}

const char* const no_args[] = {nullptr};
const char* const set_args[] = {"key", "value", nullptr};
const char* const key_args[] = {"key", nullptr};

const swarm::CommandEntry commands[] = {
    {"PING", ping, no_args},
    {"SET", set, set_args},
    {"GET", get, key_args},
    {"INCR", incr, key_args},
    {"close_connection", close_connection, no_args},
};

}  // namespace

SWARM_MODULE(commands)
