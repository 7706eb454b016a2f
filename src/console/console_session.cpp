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

namespace swarm::console {
namespace {

// Completion token that hands errors back as values instead of throwing.
constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// Runs one handler call; a handler that throws answers with its message
// instead of ending the session (or the control thread) silently.
template <typename Call>
std::string call_handler(Call&& call) {
  try {
    return std::forward<Call>(call)();
  } catch (const std::exception& error) {
    return fmt::format("Error: {}", error.what());
  }
}

}  // namespace

ConsoleSession::ConsoleSession(asio::ip::tcp::socket socket, ConsoleHandler& handler,
                               std::size_t max_queued_output, OnClosed on_closed)
    : socket_(std::move(socket)),
      handler_(handler),
      max_queued_output_(max_queued_output),
      on_closed_(std::move(on_closed)) {}

ConsoleSession::~ConsoleSession() {
  close();
}

void ConsoleSession::start() {
  send(console_greeting());
  // The lambda, and so `self`, lives in the coroutine frame while it runs.
  asio::co_spawn(
      socket_.get_executor(), [self = shared_from_this()] { return self->read_loop(); },
      asio::detached);
}

void ConsoleSession::close() {
  if (!open_) return;
  open_ = false;
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
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
    }
  }
}

void ConsoleSession::on_event(const TelnetEvent& event) {
  switch (event.kind) {
    case TelnetEvent::Kind::line:
      on_line(event.text);
      break;
    case TelnetEvent::Kind::line_too_long:
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
  if (const auto* command = std::get_if<ConsoleCommand>(&result)) {
    run(*command);
  } else if (const auto* error = std::get_if<ConsoleParseError>(&result)) {
    send(to_crlf_lines(error->message));
    if (error->show_usage) send(console_usage());
  }
}

void ConsoleSession::run(const ConsoleCommand& command) {
  using Kind = ConsoleCommand::Kind;
  const std::uint64_t n = command.count;
  switch (command.kind) {
    case Kind::incr:
      send(to_crlf_lines(call_handler([&] { return handler_.on_incr(n); })));
      break;
    case Kind::decr:
      send(to_crlf_lines(call_handler([&] { return handler_.on_decr(n); })));
      break;
    case Kind::stat:
      send(to_crlf_lines(call_handler([&] { return handler_.on_stat(); })));
      break;
    case Kind::stat_html:
      send(to_crlf_lines(call_handler([&] { return handler_.on_stat_html(command.path); })));
      break;
    case Kind::rate:
      send(to_crlf_lines(call_handler([&] { return handler_.set_rate(command.rate); })));
      break;
    case Kind::help:
      send(console_usage());
      break;
    case Kind::quit:
      send("Bye\r\n");
      finish();
      break;
    case Kind::stop:
      send(to_crlf_lines(call_handler([&] { return handler_.on_stop(); })));
      finish();
      break;
  }
}

void ConsoleSession::send(std::string_view text) {
  if (!open_ || text.empty()) return;
  if (!queue_.empty() && queued_bytes_ + text.size() > max_queued_output_) {
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
