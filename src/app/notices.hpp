// Notices: one-line messages for the user that workers raise on their own
// threads ("server localhost:6379: [::1]:6379 (Connection refused); using
// 127.0.0.1:6379"). Each distinct text is printed once, on the control
// thread, so several workers finding the same thing say it once.
#pragma once

#include <asio/io_context.hpp>
#include <cstdio>
#include <functional>
#include <set>
#include <string>

#include "app/terminal_line.hpp"

namespace swarm::app {

class Notices {
 public:
  Notices(asio::io_context& io, std::FILE* out) : io_(io), out_(out) {}

  /// A function any thread may call with a notice; it must not outlive this.
  std::function<void(std::string)> sink();
  /// Keeps `line` clear of the notices (null: none).
  void set_terminal_line(TerminalLine* line) noexcept { line_ = line; }

 private:
  void say(const std::string& text);

  asio::io_context& io_;          // the control thread's loop
  std::FILE* out_;                // where notices go (with the status)
  std::set<std::string> said_;    // texts already printed (control thread only)
  TerminalLine* line_ = nullptr;  // the progress line, if any
};

}  // namespace swarm::app
