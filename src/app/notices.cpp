#include "app/notices.hpp"

#include <asio/post.hpp>

namespace swarm::app {

std::function<void(std::string)> Notices::sink() {
  return
      [this](std::string text) { asio::post(io_, [this, text = std::move(text)] { say(text); }); };
}

void Notices::say(const std::string& text) {
  if (!said_.insert(text).second) return;
  if (line_ != nullptr) line_->clear();
  std::fprintf(out_, "swarm: %s\n", text.c_str());
  std::fflush(out_);
  if (line_ != nullptr) line_->redraw();
}

}  // namespace swarm::app
