// FleetController's life: gather the agents, check their plans, start them
// together, an interval loop of pulls and status blocks, and the end
// (drain, final counts, stop, final report).
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <map>
#include <nlohmann/json.hpp>

#include "control/fleet_controller.hpp"
#include "control/fleet_status.hpp"
#include "control/shares.hpp"
#include "plan/plan_loader.hpp"
#include "stats/units.hpp"

namespace swarm::control {
namespace {

constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);
using Seconds = std::chrono::duration<double>;

/// How long the end waits for the agents' connections to close.
constexpr std::chrono::seconds kDrainPatience{5};
/// How often the controller asks while it waits for agents or a drain.
constexpr std::chrono::milliseconds kWaitingPoll{500};

std::chrono::milliseconds millis(std::chrono::nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

/// Nothing still open, connecting or in flight on `r`.
bool quiet(const stats::Recorder& r) {
  std::int64_t in_flight = 0;
  for (const auto& command : r.actions.commands()) in_flight += command.in_flight;
  return r.open == 0 && r.dialing == 0 && in_flight == 0;
}

}  // namespace

void FleetController::start(console::ConsoleServer* console, OnGathered on_gathered) {
  console_ = console;
  on_gathered_ = std::move(on_gathered);
  signals_.async_wait([this](const asio::error_code& error, int signal) {
    if (error) return;
    shutdown(signal == SIGINT   ? "interrupted (SIGINT)"
             : signal == SIGHUP ? "hangup (SIGHUP)"
                                : "terminated (SIGTERM)");
  });
  asio::co_spawn(io_, run(), [this](const std::exception_ptr& failure) {
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& error) {
      fail(fmt::format("internal error: {}", error.what()));
    }
  });
}

void FleetController::shutdown(const std::string& why) {
  asio::co_spawn(io_, finish(why), asio::detached);
}

void FleetController::fail(std::string why) {
  setup_failure_ = std::move(why);
  shutdown(*setup_failure_);
}

asio::awaitable<void> FleetController::run() {
  if (!co_await gather()) co_return;
  co_await begin();
  if (settings_.duration) {
    duration_timer_.expires_after(*settings_.duration);
    duration_timer_.async_wait([this](const asio::error_code& error) {
      if (!error) shutdown("--duration reached");
    });
  }
  co_await intervals();
}

asio::awaitable<void> FleetController::intervals() {
  auto next = context_.started;
  while (!stopping_) {
    next += settings_.interval;
    tick_.expires_at(next);
    co_await tick_.async_wait(use_nothrow);
    if (stopping_) co_return;
    co_await poll();
    if (stopping_) co_return;
    if (fleet_.take_membership_change()) {
      print("swarm control: " +
            co_await set_target(target_, "rebalance (an agent joined or left)") + "\n");
    } else {
      co_await resend_unsent();
    }
    if (stopping_) co_return;
    status_block();
  }
}

asio::awaitable<void> FleetController::poll() {
  const Resolved resolved =
      co_await resolve_agents(settings_.sources, millis(settings_.access.timeout));
  if (resolved.problems != resolve_problems_) {
    for (const auto& problem : resolved.problems) print("swarm control: " + problem + "\n");
    resolve_problems_ = resolved.problems;
  }
  fleet_.offer(resolved.endpoints);
  co_await pull_all(fleet_.agents());
}

asio::awaitable<void> FleetController::pull_all(std::vector<Agent*> agents, bool interval) {
  std::vector<asio::awaitable<void>> tasks;
  for (Agent* agent : agents) tasks.push_back(pull(*agent, interval));
  co_await run_all(std::move(tasks));
  merge_now();
}

asio::awaitable<void> FleetController::pull(Agent& agent, bool interval) {
  const auto sent = Clock::now();
  try {
    stats::RunSnapshot snapshot = co_await fetch_snapshot(agent.endpoint, settings_.access);
    const auto now = Clock::now();
    tell(fleet_.answered(agent, std::move(snapshot), Seconds(now - sent).count(), now));
  } catch (const AgentError& error) {
    tell(fleet_.missed(agent, error.what(), interval));
  }
}

asio::awaitable<bool> FleetController::gather() {
  while (!stopping_) {
    co_await poll();
    if (stopping_) co_return false;
    if (fleet_.answered() >= settings_.expect) co_return co_await check_plans();
    const auto waited = Clock::now() - created_;
    if (settings_.expect_timeout.count() > 0 && waited >= settings_.expect_timeout) {
      print(format_waiting(fleet_, settings_.expect, Seconds(waited).count()));
      fail(fmt::format("{} of {} agents answered within --expect-timeout {:.0f}s",
                       fleet_.answered(), settings_.expect,
                       Seconds(settings_.expect_timeout).count()));
      co_return false;
    }
    print(format_waiting(fleet_, settings_.expect, Seconds(waited).count()));
    tick_.expires_after(std::min<std::chrono::nanoseconds>(settings_.interval, kWaitingPoll * 4));
    co_await tick_.async_wait(use_nothrow);
  }
  co_return false;
}

asio::awaitable<bool> FleetController::check_plans() {
  std::map<std::string, std::vector<const Agent*>> by_digest;
  for (const Agent* agent : fleet_.agents()) {
    if (agent->last) by_digest[agent->last->agent.digest].push_back(agent);
  }
  if (by_digest.size() > 1) {
    std::string groups;
    for (const auto& [digest, agents] : by_digest) {
      groups += fmt::format("\n  {}:", digest);
      for (const Agent* agent : agents) {
        groups += fmt::format(" {} (host {})", agent->address, agent->last->agent.host);
      }
    }
    fail(
        "the agents do not run the same plan and module (plan text + module bytes, by "
        "digest):" +
        groups + "\n  give every agent the same --script and --protocol-dir");
    co_return false;
  }
  fleet_.admit(by_digest.begin()->first);
  const std::vector<Agent*> members = fleet_.members();
  for (const Agent* agent : members) {
    if (agent->last->agent.version != members.front()->last->agent.version) {
      print(fmt::format("swarm control: agent {} runs swarm {}, agent {} runs {}\n", agent->address,
                        agent->last->agent.version, members.front()->address,
                        members.front()->last->agent.version));
    }
  }
  co_return co_await read_plan(*members.front());
}

asio::awaitable<bool> FleetController::read_plan(const Agent& agent) {
  std::string config_json;
  try {
    config_json = co_await fetch_config(agent.endpoint, settings_.access);
    const auto config = nlohmann::json::parse(config_json);
    const std::string path = config.at("plan").at("path").get<std::string>();
    const plan::Plan plan = plan::parse_plan(config.at("plan").at("text").get<std::string>(),
                                             fmt::format("{} (agent {})", path, agent.address));
    threshold_list_ = app::collect_thresholds(plan, settings_.thresholds);
    threshold_rows_ = app::threshold_names(plan, agent.last->action_names);
    // The agents' TLS (their own flag) decides whether reports show handshakes.
    const auto tls = config.at("flags").find("tls");
    context_.tls = tls != config.at("flags").end() && tls->is_boolean() && tls->get<bool>();
  } catch (const std::exception& error) {
    fail(fmt::format("the fleet's plan, as agent {} has it: {}", agent.address, error.what()));
    co_return false;
  }
  context_.action_names = agent.last->action_names;
  rate_ = settings_.rate.value_or(agent.last->rate);
  if (on_gathered_) on_gathered_(config_json);
  co_return true;
}

asio::awaitable<void> FleetController::begin() {
  const auto at_wall = std::chrono::system_clock::now() + settings_.start_delay;
  context_.started = Clock::now() + settings_.start_delay;
  previous_ = {};
  previous_.taken = context_.started;
  context_.rate.set(context_.started, rate_);
  thresholds_.emplace(std::move(threshold_list_), threshold_rows_, context_.started);
  target_ = settings_.connections;
  context_.target = static_cast<std::int64_t>(target_);
  started_ = true;
  fleet_.take_membership_change();  // the agents that joined are the start's
  announce_start(at_wall);
  const TurnLock::Turn turn = co_await turns_.take();
  const std::string report = co_await push_shares(Seconds(at_wall.time_since_epoch()).count());
  std::string shares;
  for (const Agent* agent : fleet_.members()) {
    shares += fmt::format("{}{} {}", shares.empty() ? "" : ", ", agent->address, agent->share);
  }
  print(fmt::format("swarm control: shares: {}{}\n", shares, report));
}

void FleetController::announce_start(std::chrono::system_clock::time_point at) {
  const auto members = fleet_.members();
  for (const Agent* agent : members) {
    if (agent->last->target == 0) continue;
    print(
        fmt::format("swarm control: agent {} holds {} connections of its own (its "
                    "--connections?): it now takes the fleet's share instead\n",
                    agent->address, agent->last->target));
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch());
  print(fmt::format(
      "swarm control: {} agents run {}; starting {} connections{} at {:%H:%M:%S}.{:03d} UTC (in "
      "{:.1f}s)\n",
      members.size(), fleet_.digest(), target_,
      rate_ > 0 ? fmt::format(" at {}/s in all", stats::format_rate(rate_)) : "",
      std::chrono::time_point_cast<std::chrono::seconds>(at), static_cast<int>(ms.count() % 1000),
      Seconds(settings_.start_delay).count()));
}

void FleetController::status_block() {
  merge_now();
  thresholds_->offer_baseline(latest_);
  std::string text = stats::format_status(context_, latest_, previous_);
  if (!thresholds_->empty())
    text += stats::format_threshold_status(thresholds_->judge_live(latest_));
  print(text + format_fleet(fleet_, settings_.expect, Clock::now()) + "\n");
  stats::IntervalRecord record = stats::interval_record(context_, latest_, previous_);
  if (observer_ != nullptr) observer_->on_interval(latest_, record);
  intervals_.push_back(std::move(record));
  previous_ = latest_;
  for (Agent* agent : fleet_.members()) {
    agent->at_interval = agent->last->totals;
    agent->at_interval_unix = agent->last->taken_unix;
  }
  if (thresholds_->has_abort()) {
    if (auto failed = thresholds_->check_abort(latest_)) {
      print(
          fmt::format("swarm control: threshold failed: {} ({}, judged over {:.1f}s; {}): "
                      "aborting\n",
                      failed->threshold.expression, failed->result.shown, failed->judged_seconds,
                      failed->source));
      shutdown(fmt::format("threshold failed: {}", failed->threshold.expression));
    }
  }
}

asio::awaitable<void> FleetController::finish(std::string why) {
  if (stopping_) co_return;
  stopping_ = true;
  print(fmt::format("swarm control: stopping: {}\n", why));
  if (observer_ != nullptr) observer_->on_stopping(why);
  tick_.cancel();
  duration_timer_.cancel();
  signals_.cancel();
  if (console_ != nullptr) console_->close();
  result_.reason = why;
  if (started_) {
    const TurnLock::Turn turn = co_await turns_.take();  // a command under way ends first
    co_await pull_all(fleet_.members(), false);
    const stats::Snapshot at_stop = latest_;
    thresholds_->offer_baseline(at_stop);
    result_.at_stop = at_stop.totals;
    co_await drain();
    result_.end = latest_;
    report_end();
  }
  io_.stop();
}

asio::awaitable<void> FleetController::drain() {
  // Every member closes its connections (in-flight requests end as
  // `abandoned`, as a single swarm's stop ends them), then is asked until
  // its counts stand still: the final report is what the agents counted.
  std::vector<asio::awaitable<void>> tasks;
  std::vector<std::string> reports(fleet_.members().size());
  std::size_t i = 0;
  for (Agent* agent : fleet_.members()) {
    tasks.push_back(push_one(*agent, {0, std::nullopt, std::nullopt}, reports[i++]));
  }
  co_await run_all(std::move(tasks));
  const auto deadline = Clock::now() + kDrainPatience;
  while (true) {
    co_await pull_all(fleet_.members(), false);
    const auto members = fleet_.members();
    const bool all_quiet = std::all_of(members.begin(), members.end(),
                                       [](const Agent* a) { return quiet(a->last->totals); });
    if (all_quiet || Clock::now() >= deadline) break;
    tick_.expires_after(std::chrono::milliseconds(100));
    co_await tick_.async_wait(use_nothrow);
  }
  if (settings_.keep_agents) co_return;
  tasks.clear();
  for (Agent* agent : fleet_.members()) {
    tasks.push_back([](Agent& a, const AgentAccess& access) -> asio::awaitable<void> {
      try {
        co_await send_stop(a.endpoint, access);
      } catch (const AgentError&) {
        // Gone already: nothing to stop.
      }
    }(*agent, settings_.access));
  }
  co_await run_all(std::move(tasks));
}

void FleetController::report_end() {
  result_.thresholds = thresholds_->judge_final(result_.end, result_.at_stop);
  for (const auto& outcome : result_.thresholds) {
    result_.thresholds_failed = result_.thresholds_failed || !outcome.result.pass;
  }
  print(stats::format_final(context_, result_.end, &result_.at_stop));
  print(format_fleet(fleet_, settings_.expect, Clock::now()));
  print(stats::format_thresholds(result_.thresholds));
}

}  // namespace swarm::control
