// The websocket commands after `open`: send (no reply awaited: what comes
// back is counted as received), send_for_reply (the next message is the
// reply, timed), receive (wait for the next message), ping (the pong is the
// reply, timed) and close (the close handshake, then a new connection).
// Every frame is masked with a fresh key from the worker's generator.
#include <fmt/format.h>

#include "protocol/builtin/payload.hpp"
#include "protocol/builtin/websocket/ws_parts.hpp"

namespace swarm::protocol::builtin::websocket {
namespace {

/// A data message's payload and its opcode, bound once.
struct Message {
  Payload payload;                   // what it carries
  WsOpcode opcode = WsOpcode::text;  // text or binary

  /// Appends `count` frames, each with fresh substitutions and mask.
  void render(Call& call, std::uint32_t count, std::string& out) const {
    if (payload.is_constant()) {
      // Fixed text or `size: N`: masked straight from the bound bytes, not
      // copied into a buffer first (up to 64 MiB a frame).
      for (std::uint32_t i = 0; i < count; ++i) {
        call.next_request();
        ws_append_frame(out, payload.constant(), opcode, mask_key(call.client()));
      }
      return;
    }
    BufferPool::Lease data = call.buffers().lend();
    for (std::uint32_t i = 0; i < count; ++i) {
      data->clear();
      payload.render(*data, call.next_request());
      ws_append_frame(out, *data, opcode, mask_key(call.client()));
    }
  }

  /// Reads text, binary or size (binary), and stamp. Throws BindError.
  static Message read(const ArgReader& args) {
    const bool stamp = args.boolean("stamp", false);
    const int given = args.has("text") + args.has("binary") + args.has("size");
    if (given != 1) {
      throw BindError(args.where(args.has("binary") ? "binary" : "size"),
                      fmt::format("command '{}' needs one of 'text', 'binary' or 'size' (a "
                                  "binary message of that many bytes)",
                                  args.command()));
    }
    if (args.has("text")) return {*Payload::read(args, "text", stamp), WsOpcode::text};
    if (args.has("binary")) return {*Payload::read(args, "binary", stamp), WsOpcode::binary};
    return {*Payload::read(args, "text", stamp), WsOpcode::binary};  // size: N
  }
};

class Send final : public BoundCommand {
 public:
  explicit Send(Message message) : message_(std::move(message)) {}

  Task<void> run(Call& call) const override {
    require_open(call, "send");
    BufferPool::Lease frame = call.buffers().lend();
    message_.render(call, 1, *frame);
    co_await call.client().send_noreply(*frame);
  }

 private:
  Message message_;  // what the frame carries
};

/// Judges a reply to a data message: answers the pings inside it, counts
/// its kind.
void take_reply(Client& client, std::string_view framed, std::string& scratch) {
  WsMessage message;
  if (hear(client, framed, scratch, message) != Heard::data) return;
  client.count_reply(message.opcode == WsOpcode::text ? "text" : "binary", false);
}

class SendForReply final : public BoundCommand {
 public:
  SendForReply(Message message, std::uint32_t pipeline)
      : message_(std::move(message)), pipeline_(pipeline) {}

  Task<void> run(Call& call) const override {
    require_open(call, "send_for_reply");
    Client& client = call.client();
    WsParser parser(kMaxMessage);
    std::string scratch;
    {
      // Given back once written, not kept while the replies are awaited.
      BufferPool::Lease frames = call.buffers().lend();
      message_.render(call, pipeline_, *frames);
      if (co_await client.send_pipelined(*frames, pipeline_) != IoStatus::ok) co_return;
    }
    for (std::uint32_t i = 0; i < pipeline_; ++i) {
      Reply reply = co_await client.read_reply(parser);
      if (reply.status != IoStatus::ok) co_return;
      take_reply(client, reply.data, scratch);
    }
  }

 private:
  Message message_;         // what each frame carries
  std::uint32_t pipeline_;  // messages per call, replies read in order
};

class Receive final : public BoundCommand {
 public:
  Task<void> run(Call& call) const override {
    require_open(call, "receive");
    Client& client = call.client();
    WsParser parser(kMaxMessage);
    std::string scratch;
    // Pings and pongs are handled on the way; the next data message (or a
    // close, which ends the connection) ends the wait.
    for (;;) {
      Reply reply = co_await client.receive(parser);
      if (reply.status != IoStatus::ok) co_return;
      WsMessage message;
      const Heard heard = hear(client, reply.data, scratch, message);
      if (heard == Heard::closed) co_return;
      if (heard != Heard::data) continue;
      count_message(client, message);
      client.count_reply(message.opcode == WsOpcode::text ? "text" : "binary", false);
      co_return;
    }
  }
};

class Ping final : public BoundCommand {
 public:
  explicit Ping(Payload payload) : payload_(std::move(payload)) {}

  Task<void> run(Call& call) const override {
    require_open(call, "ping");
    Client& client = call.client();
    WsState& state = call.state<WsState>();
    {
      BufferPool::Lease data = call.buffers().lend();
      payload_.render(*data, call.next_request());
      if (data->size() > 125) throw std::runtime_error("ping: a payload of more than 125 bytes");
      BufferPool::Lease frame = call.buffers().lend();
      ws_append_frame(*frame, *data, WsOpcode::ping, mask_key(client));
      // Until the pong: data messages are pushes (counted), the pong the reply.
      state.awaiting_pong = true;
      if (co_await client.send_pipelined(*frame, 1) != IoStatus::ok) co_return;
    }
    WsParser parser(kMaxMessage);
    const Reply reply = co_await client.read_reply(parser);
    call.state<WsState>().awaiting_pong = false;
    if (reply.status == IoStatus::ok) client.count_reply("pong", false);
  }

 private:
  Payload payload_;  // what the ping carries (may be empty)
};

class Close final : public BoundCommand {
 public:
  Close(std::uint16_t code, std::string reason) : code_(code), reason_(std::move(reason)) {}

  Task<void> run(Call& call) const override {
    require_open(call, "close");
    Client& client = call.client();
    {
      BufferPool::Lease frame = call.buffers().lend();
      ws_append_close(*frame, code_, reason_, mask_key(client));
      // Until the server's close: data messages are pushes, its close the reply.
      call.state<WsState>().closing = true;
      if (co_await client.send_pipelined(*frame, 1) != IoStatus::ok) co_return;
    }
    WsParser parser(kMaxMessage);
    const Reply reply = co_await client.read_reply(parser);
    if (reply.status != IoStatus::ok) co_return;
    std::string scratch;
    const WsMessage message = ws_read_message(reply.data, scratch);
    const std::uint16_t code = message.close_code == 0 ? 1005 : message.close_code;
    client.count_reply(fmt::format("close {}", code), false);
    // The handshake is done: a new TCP connection, the plan from its start.
    client.close_connection();
  }

 private:
  std::uint16_t code_;  // sent with the close
  std::string reason_;  // and this text
};

}  // namespace

std::unique_ptr<BoundCommand> bind_send(const ArgReader& args, std::uint32_t) {
  return std::make_unique<Send>(Message::read(args));
}

std::unique_ptr<BoundCommand> bind_send_for_reply(const ArgReader& args, std::uint32_t pipeline) {
  return std::make_unique<SendForReply>(Message::read(args), pipeline);
}

std::unique_ptr<BoundCommand> bind_receive(const ArgReader&, std::uint32_t) {
  return std::make_unique<Receive>();
}

std::unique_ptr<BoundCommand> bind_ping(const ArgReader& args, std::uint32_t) {
  Payload payload;
  if (auto text = args.text("payload")) {
    if (text->size() > 125) args.fail("payload", "a ping carries at most 125 bytes");
    payload = Payload(TextTemplate::compile(*text, args.where("payload"), args.what("payload")));
  }
  return std::make_unique<Ping>(std::move(payload));
}

std::unique_ptr<BoundCommand> bind_close(const ArgReader& args, std::uint32_t) {
  const std::int64_t code = args.integer("code", 1000, 4999, 1000);
  if (code == 1004 || code == 1005 || code == 1006 || code == 1015 ||
      (code > 1014 && code < 3000)) {
    args.fail("code", "not a code a client may send (1000-1003, 1007-1014, 3000-4999)");
  }
  std::string reason = args.text("reason").value_or("");
  if (reason.size() > 123) args.fail("reason", "a close reason is at most 123 bytes");
  return std::make_unique<Close>(static_cast<std::uint16_t>(code), std::move(reason));
}

}  // namespace swarm::protocol::builtin::websocket
