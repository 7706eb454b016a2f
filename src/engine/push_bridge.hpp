// PushBridge: what a connection's ReplyReader hands pushed messages to: the
// module's PushHandler, told which connection they came on. Made on the spot
// where a connection reads (it costs the idle connection nothing).
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/reply_reader.hpp"
#include "protocol/module.hpp"

namespace swarm::engine {

class PushBridge final : public PushSink {
 public:
  /// `handler` may be null: the module takes no pushes (see active()).
  PushBridge(protocol::PushHandler* handler, std::uint64_t client_id) noexcept
      : handler_(handler), client_id_(client_id) {}

  /// Whether the module takes pushes at all.
  bool active() const noexcept { return handler_ != nullptr; }

  ReplyParser& framer() override { return handler_->framer(); }
  bool is_push(std::string_view message) override { return handler_->is_push(message); }
  void on_push(std::string_view message) override { handler_->on_push(client_id_, message); }

 private:
  protocol::PushHandler* handler_;  // the module's, or null
  std::uint64_t client_id_;         // the connection the bytes came on
};

}  // namespace swarm::engine
