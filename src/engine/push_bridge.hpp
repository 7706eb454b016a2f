// PushBridge: what a connection's ReplyReader hands pushed messages to: the
// module's PushHandler, with a PushClient for the connection they came on.
// Made on the spot where a connection reads (it costs the idle connection
// nothing). A script error in the handler is counted; the connection goes on.
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/push_client.hpp"
#include "engine/reply_reader.hpp"
#include "protocol/module.hpp"

namespace swarm::engine {

class PushBridge final : public PushSink {
 public:
  /// `handler` may be null: the module takes no pushes (see active()).
  /// Without `divert`, no message awaited as a reply is taken for a push
  /// (Client::receive() wants the next message, whatever it is).
  PushBridge(protocol::PushHandler* handler, Connection& connection, bool divert = true) noexcept
      : handler_(handler), client_(connection), connection_(connection), divert_(divert) {}

  /// Whether the module takes pushes at all.
  bool active() const noexcept { return handler_ != nullptr; }

  ReplyParser& framer() override { return handler_->framer(); }
  bool is_push(std::string_view message) override {
    return divert_ && handler_->is_push(client_, message);
  }
  void on_push(std::string_view message) override;

 private:
  protocol::PushHandler* handler_;  // the module's, or null
  PushClient client_;               // what the handler sees
  Connection& connection_;          // the connection the bytes came on
  bool divert_;                     // messages awaited as replies may be pushes
};

}  // namespace swarm::engine
