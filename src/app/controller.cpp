#include "app/controller.hpp"

#include <fmt/format.h>

#include <csignal>

#include "app/options.hpp"
#include "plan/rate.hpp"
#include "stats/units.hpp"

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

using Seconds = std::chrono::duration<double>;

/// How often `abort` thresholds are checked while the run goes.
constexpr std::chrono::seconds kJudgePeriod{1};

}  // namespace

Controller::Controller(asio::io_context& io, engine::Engine& engine, stats::ReportContext context,
                       ControllerSettings settings, ThresholdWatch thresholds, std::FILE* out)
    : io_(io),
      engine_(engine),
      context_(std::move(context)),
      settings_(settings),
      out_(out),
      status_timer_(io),
      duration_timer_(io),
      signals_(io, SIGINT, SIGTERM, SIGHUP),
      resolver_(io, engine),
      judge_timer_(io),
      warmup_timer_(io),
      share_timer_(io),
      thresholds_(std::move(thresholds)) {
  previous_.taken = context_.started;
}

void Controller::start(console::ConsoleServer* console) {
  console_ = console;
  // SIGHUP (the terminal went away) ends the run like SIGTERM: the final
  // report still goes out, to wherever stdout now leads.
  signals_.async_wait([this](const asio::error_code& error, int signal) {
    if (error) return;
    shutdown(signal == SIGINT   ? "interrupted (SIGINT)"
             : signal == SIGHUP ? "hangup (SIGHUP)"
                                : "terminated (SIGTERM)");
  });
  if (settings_.duration) {
    duration_timer_.expires_after(*settings_.duration);
    duration_timer_.async_wait([this](const asio::error_code& error) {
      if (!error) shutdown("--duration reached");
    });
  }
  schedule_status();
  schedule_warmup_baseline();
  if (thresholds_.has_abort()) schedule_judging();
}

void Controller::schedule_status() {
  // --interval 0 prints no status blocks; the rest of the interval's work
  // (names resolved again, the report's records) goes on at the default pace.
  const bool show = settings_.interval > std::chrono::nanoseconds::zero();
  status_timer_.expires_after(show ? settings_.interval : std::chrono::seconds(5));
  status_timer_.async_wait([this, show](const asio::error_code& error) {
    if (error || stopping_) return;
    stats::Snapshot now = take_snapshot();
    resolver_.on_interval(connect_failures(now.totals));
    if (show) print(status_text(now) + "\n");
    stats::IntervalRecord record = stats::interval_record(context_, now, previous_);
    if (observer_ != nullptr) observer_->on_interval(now, record);
    if (settings_.keep_intervals) intervals_.push_back(std::move(record));
    previous_ = std::move(now);
    schedule_status();
  });
}

std::string Controller::status_text(const stats::Snapshot& now) {
  std::string text = stats::format_status(context_, now, previous_);
  if (!thresholds_.empty()) text += stats::format_threshold_status(thresholds_.judge_live(now));
  return text;
}

void Controller::print(const std::string& text) {
  if (line_ != nullptr) line_->clear();
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
  if (line_ != nullptr) line_->redraw();
}

void Controller::schedule_warmup_baseline() {
  // A snapshot at the exact end of each warmup: what is judged starts there.
  const auto pending = thresholds_.pending_warmups();
  if (pending.empty()) return;
  warmup_timer_.expires_at(context_.started + pending.front());
  warmup_timer_.async_wait([this](const asio::error_code& error) {
    if (error || stopping_) return;
    thresholds_.offer_baseline(take_snapshot());
    schedule_warmup_baseline();
  });
}

void Controller::schedule_judging() {
  judge_timer_.expires_after(kJudgePeriod);
  judge_timer_.async_wait([this](const asio::error_code& error) {
    if (error || stopping_) return;
    if (auto failed = thresholds_.check_abort(take_snapshot())) {
      print(fmt::format("swarm: threshold failed: {} ({}, judged over {:.1f}s; {}): aborting\n",
                        failed->threshold.expression, failed->result.shown, failed->judged_seconds,
                        failed->source));
      shutdown(fmt::format("threshold failed: {}", failed->threshold.expression));
      return;
    }
    schedule_judging();
  });
}

stats::Snapshot Controller::take_snapshot() {
  stats::Snapshot snapshot;
  snapshot.totals = engine_.snapshot();
  snapshot.taken = std::chrono::steady_clock::now();
  snapshot.silent = engine_.silent_workers();
  snapshot.workers = engine_.workers();
  context_.target = static_cast<std::int64_t>(engine_.target());
  if (console_ != nullptr) context_.console_auth_failures = console_->auth_failures();
  return snapshot;
}

std::string Controller::open(std::uint64_t count) {
  if (stopping_) return "Stopping: no new connections";
  std::string reply = "OK";
  if (auto warning = settings_.capacity.warning_for(engine_.target() + count)) {
    if (line_ != nullptr) line_->clear();
    std::fprintf(stderr, "swarm: %s\n", warning->c_str());
    if (line_ != nullptr) line_->redraw();
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

std::string Controller::set_rate(double per_second) {
  if (stopping_) return "Stopping";
  if (auto problem = plan::rate_problem(per_second)) return "Invalid rate: " + *problem;
  const double before = engine_.rate();
  engine_.set_rate(per_second);
  context_.rate.set(std::chrono::steady_clock::now(), engine_.rate());
  const std::string now = describe_rate(engine_.rate(), engine_.target());
  const std::string reply = fmt::format(
      "OK {} (was {})", now, before > 0 ? fmt::format("{}/s", stats::format_rate(before)) : "off");
  std::fprintf(out_, "swarm: %s\n", reply.substr(3).c_str());
  std::fflush(out_);
  return reply;
}

asio::awaitable<std::string> Controller::apply_share(ShareRequest share) {
  co_return schedule_share(share);
}

std::string Controller::schedule_share(const ShareRequest& share) {
  if (stopping_) return "Stopping";
  if (share.rate) {
    if (auto problem = plan::rate_problem(*share.rate)) return "Invalid rate: " + *problem;
  }
  if (share.target && *share.target > kMaxConnectionsAtOnce) {
    return fmt::format("Invalid target: at most {} connections, got {}", kMaxConnectionsAtOnce,
                       *share.target);
  }
  share_timer_.cancel();  // a share still waiting for its time is replaced
  const auto now = std::chrono::system_clock::now();
  if (!share.at || *share.at <= now) {
    std::string reply = share_now(share);
    if (share.at) reply += fmt::format(" (due {:.3f}s ago)", Seconds(now - *share.at).count());
    return reply;
  }
  share_timer_.expires_at(*share.at);
  share_timer_.async_wait([this, share](const asio::error_code& error) {
    if (error || stopping_) return;
    const std::string reply = share_now(share);
    // The agent's own output says what it did and when, for the record.
    const double late = Seconds(std::chrono::system_clock::now() - *share.at).count();
    print(fmt::format("swarm: share from the controller, {:.1f}ms after its time: {}\n",
                      late * 1000, reply));
  });
  return fmt::format("OK: scheduled in {:.3f}s", Seconds(*share.at - now).count());
}

std::string Controller::share_now(const ShareRequest& share) {
  std::string done;      // what changed, "; "-separated
  std::string warnings;  // lines after the first
  if (share.rate && *share.rate != engine_.rate()) {
    const double before = engine_.rate();
    const std::string reply = set_rate(*share.rate);
    if (!reply.starts_with("OK")) return reply;
    done =
        fmt::format("rate {} (was {})", *share.rate > 0 ? stats::format_rate(*share.rate) : "off",
                    before > 0 ? stats::format_rate(before) : "off");
  }
  if (share.target) {
    const std::uint64_t have = engine_.target();
    if (*share.target > have) {
      const std::string opened = open(*share.target - have);
      if (!opened.starts_with("OK")) return opened;
      warnings = opened.substr(2);  // "\n" and the capacity warning, if any
    } else if (*share.target < have) {
      engine_.decr(have - *share.target);
    }
    if (*share.target != have) {
      done += fmt::format("{}target {} (was {})", done.empty() ? "" : "; ", *share.target, have);
    }
  }
  return fmt::format("OK {}{}", done.empty() ? "unchanged" : done, warnings);
}

std::string describe_rate(double per_second, std::size_t connections) {
  if (per_second <= 0) return "rate off: the plan's sleeps pace the calls";
  std::string text = fmt::format(
      "rate {}/s: command calls in all, each at a fixed due time, "
      "instead of the plan's sleeps; latency runs from the due time",
      stats::format_rate(per_second));
  if (connections == 0) return text + "; no connection yet";
  return text + fmt::format(" ({}/s per connection over {})",
                            stats::format_rate(per_second / static_cast<double>(connections)),
                            connections);
}

std::string Controller::on_stat() {
  stats::Snapshot now = take_snapshot();
  return status_text(now);
}

std::string Controller::on_stat_html(const std::string& path) {
  if (!html_writer_) return ConsoleHandler::on_stat_html(path);
  return html_writer_(path);
}

void Controller::shutdown(const std::string& why) {
  if (stopping_) return;
  stopping_ = true;
  if (line_ != nullptr) line_->end();
  std::fprintf(out_, "swarm: stopping: %s\n", why.c_str());
  std::fflush(out_);
  if (observer_ != nullptr) observer_->on_stopping(why);
  status_timer_.cancel();
  duration_timer_.cancel();
  judge_timer_.cancel();
  warmup_timer_.cancel();
  share_timer_.cancel();
  signals_.cancel();
  if (console_ != nullptr) console_->close();
  result_.reason = why;
  // The gauges (open, in flight) as the stop found them, before it closes all.
  stats::Snapshot at_stop = take_snapshot();
  thresholds_.offer_baseline(at_stop);
  result_.at_stop = std::move(at_stop.totals);
  // Within 5 s of `stop` the process is gone, whatever a module does: a
  // worker stuck in module code is named and left behind.
  result_.clean = engine_.stop(kStopGrace);
  for (const stats::SilentWorker& worker : engine_.silent_workers()) {
    std::fprintf(stderr,
                 "swarm: worker %zu did not stop within %llds (stuck in module code?); its %llu "
                 "connections are left as they are\n",
                 worker.index + 1, static_cast<long long>(kStopGrace.count()),
                 static_cast<unsigned long long>(worker.connections));
  }
  result_.end = take_snapshot();
  result_.thresholds = thresholds_.judge_final(result_.end, result_.at_stop);
  for (const auto& outcome : result_.thresholds) {
    result_.thresholds_failed = result_.thresholds_failed || !outcome.result.pass;
  }
  std::fputs(stats::format_final(context_, result_.end, &result_.at_stop).c_str(), out_);
  std::fputs(stats::format_thresholds(result_.thresholds).c_str(), out_);
  std::fflush(out_);
  io_.stop();
}

}  // namespace swarm::app
