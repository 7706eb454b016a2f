#include "console/console_session.hpp"

#include <fmt/format.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <exception>
#include <utility>

#include "console/printable.hpp"

namespace swarm::console {
namespace {

// Completion token that hands errors back as values instead of throwing.
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

asio::ip::tcp::endpoint peer_of(const asio::ip::tcp::socket& socket) {
  asio::error_code ignored;
  return socket.remote_endpoint(ignored);
}

}  // namespace

ConsoleSession::ConsoleSession(asio::ip::tcp::socket socket, ConsoleHandler& handler,
                               std::shared_ptr<ConsoleShared> shared, OnClosed on_closed)
    : socket_(std::move(socket)),
      peer_(peer_of(socket_)),
      handler_(handler),
      shared_(std::move(shared)),
      on_closed_(std::move(on_closed)),
      deadline_(socket_.get_executor()),
      authenticated_(!shared_->options.token) {
  if (authenticated_) ++shared_->authenticated;
}

ConsoleSession::~ConsoleSession() {
  close();
}

void ConsoleSession::start() {
  log("session opened");
  send(authenticated_ ? console_greeting() : console_auth_greeting());
  arm_deadline();
  // The lambda, and so `self`, lives in the coroutine frame while it runs.
  asio::co_spawn(
      socket_.get_executor(), [self = shared_from_this()] { return self->read_loop(); },
      asio::detached);
}

void ConsoleSession::close() {
  if (!open_) return;
  open_ = false;
  if (authenticated_) --shared_->authenticated;
  deadline_.cancel();
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  log("session closed");
  // queue_ stays until the cancelled write completes: it may still point into it.
  if (on_closed_) std::exchange(on_closed_, nullptr)(*this);
}

void ConsoleSession::finish() {
  finishing_ = true;
  if (!writing_ && queue_.empty()) close();
}

asio::awaitable<void> ConsoleSession::read_loop() {
  std::array<char, 1024> buffer{};
  while (is_open()) {
    const auto [ec, n] = co_await socket_.async_read_some(asio::buffer(buffer), use_nothrow);
    if (!open_) co_return;
    if (ec == asio::error::eof) {
      finish();  // nc's half-close after its input: still send the replies
      co_return;
    }
    if (ec) {
      close();  // reset or other error: nobody to talk to
      co_return;
    }
    for (const TelnetEvent& event : filter_.feed(std::string_view(buffer.data(), n))) {
      if (!is_open()) break;
      on_event(event);
      if (pause_ > std::chrono::milliseconds::zero()) co_await pause_after_failure();
      if (pending_) co_await answer_pending();
    }
  }
}

asio::awaitable<void> ConsoleSession::pause_after_failure() {
  // Nothing else this session sends is read until the pause is over: a
  // guesser gets one answer per delay, whatever it pipelines.
  asio::steady_timer timer(socket_.get_executor());
  timer.expires_after(std::exchange(pause_, std::chrono::milliseconds::zero()));
  co_await timer.async_wait(use_nothrow);
  if (!open_) co_return;
  send(std::exchange(after_pause_, {}));
  if (auth_failures_ >= kMaxAuthFailures) finish();
}

void ConsoleSession::on_event(const TelnetEvent& event) {
  switch (event.kind) {
    case TelnetEvent::Kind::line:
      on_line(event.text);
      break;
    case TelnetEvent::Kind::line_too_long:
      log(fmt::format("line longer than {} bytes, dropped", TelnetFilter::default_max_line));
      send(fmt::format("Invalid Command: line too long (more than {} bytes)\r\n",
                       TelnetFilter::default_max_line));
      break;
    case TelnetEvent::Kind::close:
      finish();
      break;
  }
}

void ConsoleSession::on_line(std::string_view line) {
  const ConsoleParseResult result = parse_console_command(line);
  if (std::holds_alternative<ConsoleBlankLine>(result)) return;
  const auto* command = std::get_if<ConsoleCommand>(&result);
  // Every command is logged; a token never is.
  log(command != nullptr && command->kind == ConsoleCommand::Kind::auth ? "auth ****"
                                                                        : printable(line));
  if (!authenticated_) return before_auth(result);
  arm_deadline();  // it said something: idle counts from now
  if (command != nullptr) {
    run(*command);
  } else if (const auto* error = std::get_if<ConsoleParseError>(&result)) {
    send(to_crlf_lines(error->message));
    if (error->show_usage) send(console_usage());
  }
}

void ConsoleSession::before_auth(const ConsoleParseResult& result) {
  const auto* command = std::get_if<ConsoleCommand>(&result);
  if (command != nullptr && command->kind == ConsoleCommand::Kind::auth) {
    return authenticate(command->token);
  }
  if (command != nullptr && command->kind == ConsoleCommand::Kind::quit) {
    send("Bye\r\n");
    return finish();
  }
  send("Authentication required: type `auth TOKEN` first\r\n");
}

void ConsoleSession::authenticate(const std::string& token) {
  if (shared_->options.token->matches(token)) {
    if (shared_->authenticated >= shared_->options.max_sessions) {
      log("auth ok, but too many sessions");
      send(fmt::format("Too many console sessions (limit {}), try again later\r\n",
                       shared_->options.max_sessions));
      return finish();
    }
    authenticated_ = true;
    ++shared_->authenticated;
    log("auth ok");
    send("OK\r\n");
    send(console_usage());
    arm_deadline();
    return;
  }
  ++auth_failures_;
  pause_ = shared_->throttle.fail(std::chrono::steady_clock::now());
  log(fmt::format("auth failed ({} in the last minute, {} since the start)",
                  shared_->throttle.recent(), shared_->throttle.failures()));
  after_pause_ = auth_failures_ >= kMaxAuthFailures
                     ? "Authentication failed: too many attempts, closing\r\n"
                     : "Authentication failed\r\n";
}

void ConsoleSession::run(const ConsoleCommand& command) {
  using Kind = ConsoleCommand::Kind;
  switch (command.kind) {
    case Kind::help:
      send(console_usage());
      break;
    case Kind::auth:
      send(shared_->options.token ? "OK (already authenticated)\r\n"
                                  : "OK (this console needs no token)\r\n");
      break;
    case Kind::quit:
      send("Bye\r\n");
      finish();
      break;
    default:
      // The handler's: answered by read_loop, which waits for it.
      pending_ = command;
      break;
  }
}

asio::awaitable<void> ConsoleSession::answer_pending() {
  const ConsoleCommand command = *std::exchange(pending_, std::nullopt);
  std::string reply;
  try {
    reply = co_await handler_.answer(command);
  } catch (const std::exception& error) {
    // A handler that throws answers with its message instead of ending the
    // session (or the control thread) silently.
    reply = fmt::format("Error: {}", error.what());
  }
  send(to_crlf_lines(reply));
  if (command.kind == ConsoleCommand::Kind::stop) finish();
}

void ConsoleSession::arm_deadline() {
  const auto limit = authenticated_ ? shared_->options.idle_timeout : shared_->options.auth_timeout;
  if (limit <= std::chrono::nanoseconds::zero() || !open_) {
    deadline_.cancel();
    return;
  }
  deadline_.expires_after(limit);
  deadline_.async_wait([weak = weak_from_this()](const asio::error_code& error) {
    if (error) return;  // re-armed or cancelled
    if (const auto self = weak.lock()) self->on_deadline();
  });
}

void ConsoleSession::on_deadline() {
  if (!is_open()) return;
  const bool idle = authenticated_;
  const auto limit = idle ? shared_->options.idle_timeout : shared_->options.auth_timeout;
  const std::string seconds =
      fmt::format("{}s", std::chrono::duration_cast<std::chrono::seconds>(limit).count());
  log(idle ? "idle timeout" : "not authenticated in time");
  send(idle ? fmt::format("Closing: idle for {} (--console-idle-timeout)\r\n", seconds)
            : fmt::format("Closing: not authenticated within {}\r\n", seconds));
  finish();
}

void ConsoleSession::log(std::string_view event) {
  shared_->log().write(peer_, event);
}

void ConsoleSession::send(std::string_view text) {
  if (!open_ || text.empty()) return;
  if (!queue_.empty() && queued_bytes_ + text.size() > shared_->options.max_queued_output) {
    close();  // the peer is not reading: do not buffer for it without end
    return;
  }
  queue_.emplace_back(text);
  queued_bytes_ += text.size();
  write_next();
}

void ConsoleSession::write_next() {
  if (writing_ || queue_.empty() || !open_) return;
  writing_ = true;
  asio::async_write(socket_, asio::buffer(queue_.front()),
                    [self = shared_from_this()](const asio::error_code& ec, std::size_t) {
                      self->writing_ = false;
                      self->queued_bytes_ -= self->queue_.front().size();
                      self->queue_.pop_front();
                      if (ec || (self->finishing_ && self->queue_.empty())) {
                        self->close();
                        return;
                      }
                      self->write_next();
                    });
}

std::string to_crlf_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out.push_back('\r');
    out.push_back(text[i]);
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  return out;
}

}  // namespace swarm::console
