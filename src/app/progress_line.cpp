#include "app/progress_line.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace swarm::app {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kRedraw = std::chrono::milliseconds(250);  // the line is rewritten this often
constexpr unsigned kSampleEvery = 2;                      // redraws per fresh count
constexpr auto kRateWindow = std::chrono::seconds(2);     // the connect rate is over this

/// Connects that failed since the start (every reason of the connect phase).
std::uint64_t connect_failures(const stats::Recorder& r) {
  using stats::Reason;
  std::uint64_t total = 0;
  for (Reason reason : {Reason::refused, Reason::connect_timeout, Reason::unreachable,
                        Reason::addr_in_use, Reason::too_many_files}) {
    total += r.errors[static_cast<std::size_t>(reason)];
  }
  return total;
}

std::size_t columns(std::FILE* out) {
  winsize size{};
  if (::ioctl(fileno(out), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace

bool ProgressLine::wanted(std::FILE* out) {
  const char* term = std::getenv("TERM");
  return ::isatty(fileno(out)) == 1 && (term == nullptr || std::strcmp(term, "dumb") != 0);
}

ProgressLine::ProgressLine(asio::io_context& io, Controller& controller, std::FILE* out)
    : controller_(controller), out_(out), timer_(io) {
  if (const auto& duration = controller_.settings().duration) {
    state_.duration_s = std::chrono::duration<double>(*duration).count();
  }
}

void ProgressLine::start() {
  sample();
  redraw();
  schedule();
}

void ProgressLine::schedule() {
  timer_.expires_after(kRedraw);
  timer_.async_wait([this](const asio::error_code& error) {
    if (error || ended_ || controller_.stopping()) return;
    if (++ticks_ % kSampleEvery == 0) sample();
    redraw();
    schedule();
  });
}

void ProgressLine::sample() {
  const stats::Snapshot now = controller_.snapshot_now();
  const stats::Recorder& r = now.totals;
  state_.target = static_cast<std::int64_t>(controller_.target());
  state_.open = r.open;
  state_.connecting = r.in_state[static_cast<std::size_t>(stats::ConnState::connecting)];
  state_.failed = connect_failures(r);
  connects_.emplace_back(now.taken, r.connects);
  while (connects_.size() > 2 && now.taken - connects_.front().first > kRateWindow) {
    connects_.pop_front();
  }
  const auto& [then, before] = connects_.front();
  const double seconds = std::chrono::duration<double>(now.taken - then).count();
  state_.connect_rate = seconds > 0 ? static_cast<double>(r.connects - before) / seconds : 0;
}

void ProgressLine::clear() {
  if (!shown_) return;
  std::fputs("\r\x1b[K", out_);
  std::fflush(out_);
  shown_ = false;
}

void ProgressLine::redraw() {
  if (ended_) return;
  state_.elapsed_s =
      std::chrono::duration<double>(Clock::now() - controller_.context().started).count();
  // One column short of the width: a full line would wrap on some terminals.
  const std::string text = format_progress(state_, columns(out_) - 1);
  std::fprintf(out_, "\r%s\x1b[K", text.c_str());
  std::fflush(out_);
  shown_ = true;
}

void ProgressLine::end() {
  clear();
  ended_ = true;
  timer_.cancel();
}

}  // namespace swarm::app
