// durian as a native module: the line protocol of the demo chat server
// (durian-server), doing exactly what examples/protocols/durian.lua does: the
// same commands and args, the same requests, the same checks on the replies
// and the same error messages. The project builds it into build/modules/;
// against an installed swarm (see README.md):
//   c++ -std=c++20 -O2 -shared -fPIC durian.cpp -o durian.so $(pkg-config --cflags --libs swarm)
//   swarm -r 127.0.0.1:8080 -s examples/scripts/example.yml -p .
//
// Each request is one line ending in "\r\n" and gets one reply line: "+OK ..."
// on success, "-ERR ..." otherwise.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <swarm/module.hpp>
#include <swarm/reply_parsers.hpp>
#include <unordered_map>

namespace {

// Requests that never change.
constexpr std::string_view kHeartbeat = "heartbeat\r\n";
constexpr std::string_view kLeaveChatroom = "leave_chatroom\r\n";

// What `login` keeps for `whoami` (Lua's client.state.whoami): the request
// with this connection's token, by connection id. A connection's commands and
// its forget_connection() all run on its worker's thread, so each worker has
// its own table and nothing is shared.
thread_local std::unordered_map<std::uint64_t, std::string> whoami_requests;

void forget_connection(std::uint64_t client_id) {
  whoami_requests.erase(client_id);
}

std::string_view without_crlf(std::string_view line) {
  if (line.ends_with("\r\n")) line.remove_suffix(2);
  return line;
}

/// Sends `request` and returns its reply line, or nothing when the I/O failed
/// (swarm counts that and ends the iteration: the command returns at once).
/// Any reply but "+OK ..." is an error that shows the reply.
swarm::Task<std::optional<std::string>> call(swarm::Client& client, std::string_view request) {
  swarm::protocol::CrlfParser crlf;  // every reply is one line
  swarm::Reply reply = co_await client.send_for_reply(request, crlf);
  if (reply.status != swarm::IoStatus::ok) co_return std::nullopt;
  if (!reply.data.starts_with("+OK")) {
    throw std::runtime_error("unexpected reply: " + std::string(without_crlf(reply.data)));
  }
  co_return std::string(reply.data);
}

swarm::Task<void> heartbeat(swarm::Client& client, const swarm::Args&) {
  co_await call(client, kHeartbeat);
}

// args.rid: the room to enter (optional: the server's default room 0).
swarm::Task<void> enter_chatroom(swarm::Client& client, const swarm::Args& args) {
  std::optional<std::string_view> rid = args.find("rid");
  std::string request = rid ? "enter_chatroom " + std::string(*rid) + "\r\n" : "enter_chatroom\r\n";
  co_await call(client, request);
}

swarm::Task<void> leave_chatroom(swarm::Client& client, const swarm::Args&) {
  co_await call(client, kLeaveChatroom);
}

// args.text: the message (optional, default "hello").
swarm::Task<void> send_message(swarm::Client& client, const swarm::Args& args) {
  std::string request = "send_message " + std::string(args.find("text").value_or("hello")) + "\r\n";
  co_await call(client, request);
}

/// The token in "+OK token 6162...", or nothing when there is none.
std::optional<std::string_view> token_of(std::string_view reply) {
  constexpr std::string_view prefix = "+OK token ";
  if (!reply.starts_with(prefix)) return std::nullopt;
  std::string_view rest = reply.substr(prefix.size());
  std::size_t digits = rest.find_first_not_of("0123456789abcdefABCDEF");
  std::string_view token = rest.substr(0, digits);
  if (token.empty()) return std::nullopt;
  return token;
}

// args.uid: who to log in as. The token the server returns is kept for whoami
// as long as this connection lives.
swarm::Task<void> login(swarm::Client& client, const swarm::Args& args) {
  std::optional<std::string_view> uid = args.find("uid");
  if (!uid) throw std::runtime_error("login needs args.uid");
  std::optional<std::string> reply = co_await call(client, "login " + std::string(*uid) + "\r\n");
  if (!reply) co_return;
  std::optional<std::string_view> token = token_of(*reply);
  if (!token) {
    throw std::runtime_error("login: no token in reply: " + std::string(without_crlf(*reply)));
  }
  whoami_requests[client.id()] = "whoami " + std::string(*token) + "\r\n";
}

// Asks the server who we are, with the token from login.
swarm::Task<void> whoami(swarm::Client& client, const swarm::Args&) {
  auto request = whoami_requests.find(client.id());
  if (request == whoami_requests.end()) {
    throw std::runtime_error("whoami before login on this connection");
  }
  co_await call(client, request->second);
}

// Ends this iteration: swarm reconnects and starts the plan again.
swarm::Task<void> close_connection(swarm::Client& client, const swarm::Args&) {
  client.close_connection();
  co_return;
}

// The args each command accepts (durian.lua's M._args); swarm checks every
// plan against them. `uid` on the chat commands is accepted and not sent, so
// that scripts written for the original swarm's example still load.
const char* const uid_arg[] = {"uid", nullptr};
const char* const enter_args[] = {"rid", "uid", nullptr};
const char* const text_arg[] = {"text", nullptr};
const char* const no_args[] = {nullptr};

const swarm::CommandEntry commands[] = {
    {"heartbeat", heartbeat, uid_arg},
    {"enter_chatroom", enter_chatroom, enter_args},
    {"leave_chatroom", leave_chatroom, uid_arg},
    {"send_message", send_message, text_arg},
    {"login", login, uid_arg},
    {"whoami", whoami, no_args},
    {"close_connection", close_connection, no_args},
};

// What the server sends unasked: chatroom messages from the other members,
// ">message <rid> <text>\r\n". Framed like replies (one line), and told from
// replies by their ">": one that arrives while a reply is awaited is taken
// out first, so the reply is never mixed up with it. swarm counts each as a
// received message.
swarm::ReplyParser* make_push_framer() {
  return new swarm::protocol::CrlfParser();
}

bool is_push(swarm::Client&, std::string_view message) {
  return message.starts_with('>');
}

void on_push(swarm::Client&, std::string_view message) {
  if (!message.starts_with(">message ")) {
    throw std::runtime_error("unexpected push: " + std::string(without_crlf(message)));
  }
}

const swarm::ModuleHooks hooks{0, make_push_framer, is_push, on_push};

}  // namespace

SWARM_MODULE_DEFINE(commands, &hooks, forget_connection)
