#include "control/fleet_controller.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <asio/post.hpp>
#include <csignal>

#include "control/fleet_status.hpp"
#include "control/shares.hpp"
#include "plan/rate.hpp"
#include "stats/units.hpp"

namespace swarm::control {
namespace {

/// "100 + 100 + 101", or "333 to 334 each" for many agents.
std::string describe_parts(const std::vector<std::uint64_t>& parts) {
  if (parts.empty()) return "no agent";
  if (parts.size() <= 8) {
    std::string text;
    for (const auto part : parts) text += (text.empty() ? "" : " + ") + std::to_string(part);
    return text;
  }
  const auto [low, high] = std::minmax_element(parts.begin(), parts.end());
  return *low == *high ? fmt::format("{} each", *low) : fmt::format("{} to {} each", *low, *high);
}

}  // namespace

FleetController::FleetController(asio::io_context& io, FleetSettings settings, std::FILE* out)
    : io_(io),
      settings_(std::move(settings)),
      out_(out),
      tick_(io),
      duration_timer_(io),
      signals_(io, SIGINT, SIGTERM, SIGHUP),
      created_(Clock::now()) {
  context_.started = created_;
  previous_.taken = created_;
  latest_.taken = created_;
}

void FleetController::print(const std::string& text) {
  std::fputs(text.c_str(), out_);
  std::fflush(out_);
}

void FleetController::tell(const std::vector<std::string>& news) {
  for (const auto& line : news) print("swarm control: " + line + "\n");
}

std::string FleetController::not_ready() const {
  if (stopping_) return "Stopping";
  return fmt::format("Error: not started yet: waiting for the agents ({} of {} answered)",
                     fleet_.answered(), settings_.expect);
}

asio::awaitable<std::string> FleetController::answer(console::ConsoleCommand command) {
  using Kind = console::ConsoleCommand::Kind;
  switch (command.kind) {
    case Kind::stat:
      // Fresh counts of the members (not an interval's: no miss counted).
      if (started_ && !stopping_) co_await pull_all(fleet_.members(), false);
      co_return on_stat();
    case Kind::stat_html:
      co_return on_stat_html(command.path);
    case Kind::stop:
      co_return on_stop();
    default:
      break;
  }
  if (!started_ || stopping_) co_return not_ready();
  switch (command.kind) {
    case Kind::incr:
      co_return co_await set_target(target_ + command.count, "incr");
    case Kind::decr:
      co_return co_await set_target(target_ - std::min(target_, command.count), "decr");
    case Kind::rate:
      co_return co_await change_rate(command.rate);
    case Kind::rebalance:
      co_return co_await set_target(target_, "rebalance");
    default:
      co_return co_await ConsoleHandler::answer(command);
  }
}

std::string FleetController::on_stop() {
  // Answer first; the fleet stops once this handler has returned.
  asio::post(io_, [this] { shutdown("stop from the console"); });
  return "OK: stopping the fleet";
}

std::string FleetController::on_stat() {
  if (!started_) {
    return format_waiting(fleet_, settings_.expect,
                          std::chrono::duration<double>(Clock::now() - created_).count());
  }
  std::string text = stats::format_status(context_, latest_, previous_);
  if (thresholds_ && !thresholds_->empty()) {
    text += stats::format_threshold_status(thresholds_->judge_live(latest_));
  }
  return text + format_fleet(fleet_, settings_.expect, Clock::now());
}

std::string FleetController::on_stat_html(const std::string& path) {
  if (!html_writer_) return ConsoleHandler::on_stat_html(path);
  return html_writer_(path);
}

asio::awaitable<std::string> FleetController::set_target(std::uint64_t target, const char* what) {
  const TurnLock::Turn turn = co_await turns_.take();
  if (stopping_) co_return "Stopping";
  if (fleet_.members().empty()) co_return "Error: no agent is up to take a share";
  const std::uint64_t before = target_;
  target_ = target;
  context_.target = static_cast<std::int64_t>(target);
  const std::string report = co_await push_shares(std::nullopt);
  co_return fmt::format("OK {}: target {} (was {}) over {} agents: {}{}", what, target_, before,
                        fleet_.members().size(),
                        describe_parts(split(target_, fleet_.members().size())), report);
}

asio::awaitable<std::string> FleetController::change_rate(double per_second) {
  if (auto problem = plan::rate_problem(per_second)) co_return "Invalid rate: " + *problem;
  const TurnLock::Turn turn = co_await turns_.take();
  if (stopping_) co_return "Stopping";
  if (fleet_.members().empty()) co_return "Error: no agent is up to take a share";
  const double before = rate_;
  rate_ = per_second;
  context_.rate.set(Clock::now(), rate_);
  const std::string report = co_await push_shares(std::nullopt);
  std::string parts;
  for (const double part : split_rate(rate_, fleet_.members().size())) {
    parts += (parts.empty() ? "" : " + ") + stats::format_rate(part);
  }
  co_return fmt::format("OK rate {} (was {}) over {} agents: {}{}",
                        rate_ > 0 ? stats::format_rate(rate_) + "/s" : "off",
                        before > 0 ? stats::format_rate(before) + "/s" : "off",
                        fleet_.members().size(), rate_ > 0 ? parts : "off", report);
}

asio::awaitable<std::string> FleetController::apply_share(app::ShareRequest share) {
  // A controller above this one: its share is this fleet's whole.
  if (!started_ || stopping_) co_return not_ready();
  if (share.rate) {
    if (auto problem = plan::rate_problem(*share.rate)) co_return "Invalid rate: " + *problem;
  }
  const TurnLock::Turn turn = co_await turns_.take();
  if (share.rate) {
    rate_ = *share.rate;
    context_.rate.set(Clock::now(), rate_);
  }
  if (share.target) target_ = *share.target;
  context_.target = static_cast<std::int64_t>(target_);
  std::optional<double> at;
  if (share.at) at = std::chrono::duration<double>(share.at->time_since_epoch()).count();
  const std::string report = co_await push_shares(at);
  co_return fmt::format("OK target {} rate {}{}", target_, rate_, report);
}

asio::awaitable<std::string> FleetController::push_shares(std::optional<double> at_unix) {
  const std::vector<Agent*> members = fleet_.members();
  const auto parts = split(target_, members.size());
  const auto rates = split_rate(rate_, members.size());
  std::vector<std::string> reports(members.size());
  std::vector<asio::awaitable<void>> tasks;
  for (std::size_t i = 0; i < members.size(); ++i) {
    members[i]->share = parts[i];
    members[i]->rate_share = rates[i];
    tasks.push_back(push_one(*members[i], {parts[i], rates[i], at_unix}, reports[i]));
  }
  co_await run_all(std::move(tasks));
  std::string out;
  for (const auto& report : reports) out += report;
  co_return out;
}

asio::awaitable<void> FleetController::push_one(Agent& agent, AgentShare share,
                                                std::string& report) {
  try {
    const AgentReply reply = co_await send_share(agent.endpoint, settings_.access, share);
    agent.share_unsent = !reply.ok;
    if (!reply.ok) report += fmt::format("\nagent {}: {}", agent.address, reply.reply);
    for (const auto& warning : reply.warnings) {
      report += fmt::format("\nagent {}: {}", agent.address, warning);
    }
  } catch (const AgentError& error) {
    // Sent again at the next interval: shares are absolute, so a copy that
    // did arrive after all changes nothing.
    agent.share_unsent = true;
    report += fmt::format("\nagent {}: no answer ({}); its share is sent again next interval",
                          agent.address, error.what());
  }
}

asio::awaitable<void> FleetController::resend_unsent() {
  const std::vector<Agent*> members = fleet_.members();
  const bool any = std::any_of(members.begin(), members.end(),
                               [](const Agent* agent) { return agent->share_unsent; });
  if (!any) co_return;
  const TurnLock::Turn turn = co_await turns_.take();
  if (stopping_) co_return;
  std::vector<std::string> reports(members.size());
  std::vector<asio::awaitable<void>> tasks;
  for (std::size_t i = 0; i < members.size(); ++i) {
    Agent& agent = *members[i];
    if (!agent.share_unsent) continue;
    tasks.push_back(push_one(agent, {agent.share, agent.rate_share, std::nullopt}, reports[i]));
  }
  co_await run_all(std::move(tasks));
  for (const auto& report : reports) {
    // Each problem is a line starting with "\n" (they follow a reply's first line).
    if (!report.empty()) print("swarm control: share again:" + report + "\n");
  }
}

std::vector<stats::AgentRecord> FleetController::agents() const {
  std::vector<stats::AgentRecord> out;
  const auto now = Clock::now();
  auto add = [&](const Agent& agent) {
    stats::AgentRecord record;
    record.address = agent.address;
    record.state = to_string(agent.state);
    record.note = agent.note;
    record.share = static_cast<std::int64_t>(agent.member() ? agent.share : 0);
    if (agent.last) {
      const stats::Recorder counts = agent.counted_totals();
      record.run_id = agent.last->agent.run_id;
      record.host = agent.last->agent.host;
      record.digest = agent.last->agent.digest;
      record.open = agent.last->totals.open;
      record.requests = counts.requests;
      record.replies = counts.replies;
      for (const auto count : counts.errors) record.errors += count;
      record.last_seen_s = std::chrono::duration<double>(now - agent.last_seen).count();
    }
    out.push_back(std::move(record));
  };
  for (const Agent* agent : fleet_.agents()) add(*agent);
  for (const Agent& agent : fleet_.retired()) add(agent);
  return out;
}

void FleetController::merge_now() {
  latest_.totals = fleet_.merged();
  latest_.taken = Clock::now();
  latest_.workers = fleet_.members().size();
  context_.target = static_cast<std::int64_t>(target_);
}

}  // namespace swarm::control
