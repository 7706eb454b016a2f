#include "app/controller.hpp"

#include <fmt/format.h>

#include <csignal>

namespace swarm::app {
namespace {

/// Connects that failed in a way a new address might mend.
std::uint64_t connect_failures(const stats::Recorder& recorder) {
  using stats::Reason;
  std::uint64_t total = 0;
  for (Reason reason : {Reason::refused, Reason::connect_timeout, Reason::unreachable}) {
    total += recorder.errors[static_cast<std::size_t>(reason)];
  }
  return total;
}

}  // namespace

Controller::Controller(asio::io_context& io, engine::Engine& engine, stats::ReportContext context,
                       ControllerSettings settings, std::FILE* out)
    : io_(io),
      engine_(engine),
      context_(std::move(context)),
      settings_(settings),
      out_(out),
      status_timer_(io),
      duration_timer_(io),
      signals_(io, SIGINT, SIGTERM),
      resolver_(io, engine) {
  previous_.taken = context_.started;
}

void Controller::start(console::ConsoleServer* console) {
  console_ = console;
  signals_.async_wait([this](const asio::error_code& error, int signal) {
    if (!error) shutdown(signal == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
  });
  if (settings_.duration) {
    duration_timer_.expires_after(*settings_.duration);
    duration_timer_.async_wait([this](const asio::error_code& error) {
      if (!error) shutdown("--duration reached");
    });
  }
  schedule_status();
}

void Controller::schedule_status() {
  status_timer_.expires_after(settings_.interval);
  status_timer_.async_wait([this](const asio::error_code& error) {
    if (error || stopping_) return;
    stats::Snapshot now = take_snapshot();
    resolver_.on_interval(connect_failures(now.totals));
    std::fputs(stats::format_status(context_, now, previous_).c_str(), out_);
    std::fputc('\n', out_);
    std::fflush(out_);
    previous_ = std::move(now);
    schedule_status();
  });
}

stats::Snapshot Controller::take_snapshot() {
  stats::Snapshot snapshot{engine_.snapshot(), std::chrono::steady_clock::now()};
  context_.target = static_cast<std::int64_t>(engine_.target());
  return snapshot;
}

std::string Controller::open(std::uint64_t count) {
  if (stopping_) return "Stopping: no new connections";
  std::string reply = "OK";
  if (auto warning = settings_.capacity.warning_for(engine_.target() + count)) {
    std::fprintf(stderr, "swarm: %s\n", warning->c_str());
    reply += "\n" + *warning;
  }
  engine_.incr(count);
  return reply;
}

std::string Controller::on_decr(std::uint64_t n) {
  if (stopping_) return "Stopping";
  std::size_t closing = engine_.decr(n);
  if (closing < n) return fmt::format("OK (only {} connections were open; closing all)", closing);
  return "OK";
}

std::string Controller::on_stop() {
  // Reply first; the shutdown runs once this handler has returned.
  asio::post(io_, [this] { shutdown("stop from the console"); });
  return "OK";
}

std::string Controller::on_stat() {
  stats::Snapshot now = take_snapshot();
  return stats::format_status(context_, now, previous_);
}

void Controller::shutdown(const std::string& why) {
  if (stopping_) return;
  stopping_ = true;
  std::fprintf(out_, "swarm: stopping: %s\n", why.c_str());
  std::fflush(out_);
  status_timer_.cancel();
  duration_timer_.cancel();
  signals_.cancel();
  if (console_ != nullptr) console_->close();
  clean_ = engine_.stop(std::chrono::seconds(5));
  if (!clean_) std::fprintf(stderr, "swarm: some workers did not stop within 5s\n");
  stats::Snapshot end = take_snapshot();
  std::fputs(stats::format_final(context_, end).c_str(), out_);
  std::fflush(out_);
  io_.stop();
}

}  // namespace swarm::app
