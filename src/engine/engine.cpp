#include "engine/engine.hpp"

#include <algorithm>
#include <chrono>
#include <future>

#include "engine/worker.hpp"
#include "plan/rate.hpp"

namespace swarm::engine {
namespace {

/// The longest time between two calls of one connection (a tiny rate over
/// many connections): a day and more is "never" for a run.
constexpr double kMaxPeriodSeconds = 1e6;

}  // namespace

Engine::Engine(EngineConfig config, const plan::Plan& plan, const protocol::Module& module)
    : config_(std::move(config)), rng_(config_.seed ^ 0x5eed) {
  config_.threads = std::max<std::size_t>(1, config_.threads);
  for (std::size_t i = 0; i < config_.threads; ++i) {
    workers_.push_back(std::make_unique<Worker>(i, config_, plan, module));
  }
  targets_.assign(workers_.size(), 0);
  last_.resize(workers_.size());
  rate_ = config_.rate;
  pending_.resize(workers_.size());
  answered_.assign(workers_.size(), std::chrono::steady_clock::now());
}

Engine::~Engine() {
  if (!stopped_) stop(std::chrono::seconds(5));
  if (!joined_) return;  // workers left behind own nothing we free here
}

void Engine::start() {
  for (auto& worker : workers_) worker->start();
}

void Engine::incr(std::size_t count) {
  // Fill the emptiest workers first, then spread the rest evenly.
  std::vector<std::size_t> share(workers_.size(), 0);
  for (std::size_t given = 0; given < count; ++given) {
    std::size_t best = 0;
    for (std::size_t i = 1; i < workers_.size(); ++i) {
      if (targets_[i] + share[i] < targets_[best] + share[best]) best = i;
    }
    ++share[best];
  }
  // The period first: a new connection may connect and make its first call
  // within the round that opens it, and must find rate mode already on.
  total_ += count;
  post_call_period();
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (share[i] == 0) continue;
    targets_[i] += share[i];
    workers_[i]->add(share[i]);
  }
}

std::size_t Engine::decr(std::size_t count) {
  count = std::min(count, total_);
  // Draw victims one by one, each worker with odds equal to its share of the
  // open connections: every connection is equally likely to close.
  std::vector<std::size_t> share(workers_.size(), 0);
  for (std::size_t drawn = 0; drawn < count; ++drawn) {
    std::uint64_t pick = rng_.below(total_ - drawn);
    std::size_t i = 0;
    while (pick >= targets_[i] - share[i]) {
      pick -= targets_[i] - share[i];
      ++i;
    }
    ++share[i];
  }
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (share[i] == 0) continue;
    targets_[i] -= share[i];
    workers_[i]->remove(share[i]);
  }
  total_ -= count;
  post_call_period();
  return count;
}

void Engine::set_rate(double per_second) {
  rate_ = per_second > 0 ? std::clamp(per_second, plan::kMinRate, plan::kMaxRate) : 0;
  post_call_period();
}

void Engine::post_call_period() {
  // Connections asked for, not those open: a connection still connecting
  // leaves its share unsent (the achieved rate shows it), rather than
  // piling it on the others; the first connection up must not carry it all.
  std::chrono::nanoseconds period{};
  if (rate_ > 0 && total_ > 0) {
    const double seconds = std::min(static_cast<double>(total_) / rate_, kMaxPeriodSeconds);
    period =
        std::max(std::chrono::nanoseconds(1), std::chrono::duration_cast<std::chrono::nanoseconds>(
                                                  std::chrono::duration<double>(seconds)));
  }
  if (period == call_period_) return;
  call_period_ = period;
  for (auto& worker : workers_) worker->set_call_period(period);
}

void Engine::set_server_addresses(std::size_t index, const std::vector<SocketAddress>& addresses) {
  for (auto& worker : workers_) worker->set_addresses(index, addresses);
}

stats::Recorder Engine::snapshot(std::chrono::milliseconds patience) {
  if (joined_) {
    // The threads have ended: their recorders are final and safe to read.
    stats::Recorder merged;
    for (auto& worker : workers_) merged.merge(worker->recorder());
    return merged;
  }
  if (workers_.empty()) {
    // Workers were left behind at stop(): report what they last said.
    stats::Recorder merged;
    for (const auto& last : last_) merged.merge(last);
    return merged;
  }
  // A worker still silent since the last time is not asked again (its loop
  // would pile up requests) nor waited for (one stuck worker must not stall
  // every status block by `patience`).
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (!pending_[i].valid()) pending_[i] = workers_[i]->snapshot();
  }
  const auto now = std::chrono::steady_clock::now();
  std::vector<bool> was_silent(workers_.size(), false);
  for (const auto& worker : silent_) was_silent[worker.index] = true;
  silent_.clear();
  stats::Recorder merged;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (pending_[i].wait_until(was_silent[i] ? now : now + patience) == std::future_status::ready) {
      last_[i] = pending_[i].get();
      answered_[i] = std::chrono::steady_clock::now();
    } else {
      silent_.push_back({i, now - answered_[i], targets_[i], false});
    }
    merged.merge(last_[i]);
  }
  return merged;
}

bool Engine::stop(std::chrono::milliseconds grace) {
  if (stopped_) return joined_;
  stopped_ = true;
  for (auto& worker : workers_) worker->stop();
  // Each worker's thread ends when its last connection has closed.
  auto deadline = std::chrono::steady_clock::now() + grace;
  bool all = true;
  silent_.clear();
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (workers_[i]->join_until(deadline)) continue;
    all = false;
    silent_.push_back({i, std::chrono::steady_clock::now() - answered_[i], targets_[i], true});
  }
  if (!all) {
    // A worker stuck in module code runs on, detached, and keeps its Worker:
    // leave them all behind; the process is exiting and the caller reports
    // from the last snapshots.
    for (auto& worker : workers_) (void)worker.release();
    workers_.clear();
    return false;
  }
  joined_ = true;
  return true;
}

}  // namespace swarm::engine
