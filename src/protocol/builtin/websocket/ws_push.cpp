// What a websocket connection does with each message the server sends,
// whoever reads it: between commands (the push handler, while the plan
// sleeps), inside a command's reply, or for `receive`. Pings are answered
// at once with their pong; a close frame is echoed and ends the connection,
// counted by its code ("closed:ws_1011"), and so does a text message or a
// close reason that is not UTF-8 (close 1007, "protocol_error:ws_invalid_utf8");
// data messages are counted as received (topic text or binary, with the
// sender's stamp when there is one).
#include <fmt/format.h>

#include "core/stamp.hpp"
#include "protocol/builtin/websocket/ws_parts.hpp"

namespace swarm::protocol::builtin::websocket {
namespace {

/// Answers every ping in `framed` with a pong carrying its payload.
void answer_pings(Client& client, std::string_view framed, std::string& scratch) {
  WsFrames frames(framed);
  for (WsFrame frame; frames.next(frame);) {
    if (frame.opcode != WsOpcode::ping) continue;
    scratch.clear();
    ws_append_frame(scratch, frame.payload, WsOpcode::pong, mask_key(client));
    client.send_now(scratch);
  }
}

/// Fails the connection as RFC 6455 7.1.7 asks: our close with `code`, then
/// the end, counted as the server's protocol error `reason` and told by
/// `text`.
void fail_connection(Client& client, std::uint16_t code, std::string_view reason, std::string text,
                     std::string& scratch) {
  scratch.clear();
  ws_append_close(scratch, code, ws_close_code_name(code), mask_key(client));
  client.send_now(scratch);
  client.end_connection(reason, text);
}

/// Data that is not UTF-8 where RFC 6455 8.1 asks for it (a text message, a
/// close reason): the client fails the connection with close code 1007,
/// saying at which byte.
void fail_invalid_utf8(Client& client, std::string_view what, std::size_t at,
                       std::string& scratch) {
  fail_connection(client, 1007, "protocol_error:ws_invalid_utf8",
                  fmt::format("websocket: {} from the server is not UTF-8 (at byte {})", what, at),
                  scratch);
}

/// At most `limit` bytes of valid UTF-8 `text`, not cut inside a character.
std::string_view utf8_prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80) --limit;
  return text.substr(0, limit);
}

/// Echoes the server's close (as RFC 6455 5.5.1 asks) and ends the
/// connection, counted by the code. A close of one byte (a code takes two)
/// or with a reason that is not UTF-8 fails the connection instead.
void close_heard(Client& client, const WsMessage& message, std::string& scratch) {
  if (message.payload.size() == 1) {
    fail_connection(client, 1002, "protocol_error:ws_bad_close",
                    "websocket: a close frame from the server of 1 byte (a code takes 2)", scratch);
    return;
  }
  if (const std::size_t at = ws_utf8_error_at(message.close_reason); at != std::string_view::npos) {
    fail_invalid_utf8(client, "the close reason", at, scratch);
    return;
  }
  scratch.clear();
  ws_append_close(scratch, message.close_code, {}, mask_key(client));
  client.send_now(scratch);
  const std::uint16_t code = message.close_code == 0 ? 1005 : message.close_code;
  std::string text =
      fmt::format("the server closed the websocket: {} ({})", code, ws_close_code_name(code));
  if (!message.close_reason.empty()) {
    fmt::format_to(std::back_inserter(text), " \"{}\"", utf8_prefix(message.close_reason, 100));
  }
  client.end_connection(fmt::format("closed:ws_{}", code), text);
}

class WsPush final : public PushHandler {
 public:
  ReplyParser& framer() override { return framer_; }

  bool is_push(Client& client, std::string_view framed) override {
    // While a command awaits its reply: pings and stray pongs are handled
    // on the side; a close ends the connection; data messages are the
    // reply, unless the command waits for a pong or a close.
    // Before the upgrade the reply is the server's HTTP answer: no frames.
    const WsState& state = connection_state<WsState>(client);
    if (!state.open) return false;
    const auto opcode = static_cast<WsOpcode>(framed[0] & 0x0F);
    switch (opcode) {
      case WsOpcode::ping:
        return true;
      case WsOpcode::pong:
        return !state.awaiting_pong;
      case WsOpcode::close:
        return !state.closing;
      default:
        return state.awaiting_pong || state.closing;
    }
  }

  CommandOutcome on_push(Client& client, std::string_view framed) override {
    WsMessage message;
    if (hear(client, framed, scratch_, message) == Heard::data) count_message(client, message);
    return {};
  }

 private:
  WsParser framer_{kMaxMessage};  // frames one message at a time
  std::string scratch_;           // pongs and joined fragments
};

}  // namespace

Heard hear(Client& client, std::string_view framed, std::string& scratch, WsMessage& message) {
  message = ws_read_message(framed, scratch);
  if (message.pings > 0 || message.opcode == WsOpcode::ping) {
    // Pongs are built in a buffer of their own: the message's data may
    // live in `scratch` (pings are rare; this allocation is theirs).
    std::string pong;
    answer_pings(client, framed, pong);
  }
  switch (message.opcode) {
    case WsOpcode::ping:
      return Heard::ping;
    case WsOpcode::pong:
      return Heard::pong;
    case WsOpcode::close:
      close_heard(client, message, scratch);
      return Heard::closed;
    case WsOpcode::text:
      if (const std::size_t at = ws_utf8_error_at(message.payload); at != std::string_view::npos) {
        fail_invalid_utf8(client, "a text message", at, scratch);
        return Heard::closed;
      }
      return Heard::data;
    default:
      return Heard::data;
  }
}

void count_message(Client& client, const WsMessage& message) {
  client.count_received(message.opcode == WsOpcode::text ? "text" : "binary",
                        core::read_stamp(message.payload));
}

void require_open(Call& call, std::string_view command) {
  if (call.state<WsState>().open) return;
  throw std::runtime_error(fmt::format(
      "{}: the connection is not upgraded to a websocket yet: put `open` first in the plan, or "
      "give on_connect: {{path: ...}}",
      command));
}

std::unique_ptr<PushHandler> make_push_handler() {
  return std::make_unique<WsPush>();
}

}  // namespace swarm::protocol::builtin::websocket
