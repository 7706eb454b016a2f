#include "app/threshold_watch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace swarm::app {
namespace {

using Seconds = std::chrono::duration<double>;

}  // namespace

std::vector<SourcedThreshold> collect_thresholds(const plan::Plan& plan,
                                                 const std::vector<std::string>& flags) {
  std::vector<SourcedThreshold> out;
  for (const auto& written : plan.thresholds) {
    out.push_back({written.threshold,
                   fmt::format("{}:{}:{}", plan.path, written.where.line, written.where.column)});
  }
  std::vector<std::string> commands;
  for (const auto& action : plan.actions) commands.push_back(action.command);
  for (const auto& text : flags) {
    stats::ThresholdParse parsed = stats::parse_threshold(text);
    std::optional<stats::ThresholdError> error =
        parsed.threshold ? stats::check_threshold(*parsed.threshold, commands) : parsed.error;
    if (error) {
      throw std::invalid_argument(
          fmt::format("--threshold '{}': column {}: {}", text, error->column, error->message));
    }
    out.push_back({std::move(*parsed.threshold), "--threshold"});
  }
  return out;
}

std::vector<std::string> threshold_names(const plan::Plan& plan, std::vector<std::string> rows) {
  for (std::size_t i = 0; i < plan.actions.size() && i < rows.size(); ++i) {
    rows[i] = plan.actions[i].command;
  }
  return rows;
}

ThresholdWatch::ThresholdWatch(std::vector<SourcedThreshold> thresholds,
                               std::vector<std::string> action_names,
                               std::chrono::steady_clock::time_point started)
    : thresholds_(std::move(thresholds)),
      action_names_(std::move(action_names)),
      started_(started) {
  // No warmup: the baseline is the empty start.
  stats::Snapshot start;
  start.taken = started_;
  baselines_.emplace(std::chrono::nanoseconds::zero(), std::move(start));
}

bool ThresholdWatch::has_abort() const noexcept {
  return std::any_of(thresholds_.begin(), thresholds_.end(),
                     [](const auto& t) { return t.threshold.abort; });
}

std::vector<std::chrono::nanoseconds> ThresholdWatch::pending_warmups() const {
  std::vector<std::chrono::nanoseconds> out;
  for (const auto& t : thresholds_) {
    if (!baselines_.contains(t.threshold.warmup)) out.push_back(t.threshold.warmup);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void ThresholdWatch::offer_baseline(const stats::Snapshot& snapshot) {
  for (const auto warmup : pending_warmups()) {
    if (snapshot.taken - started_ >= warmup) baselines_.emplace(warmup, snapshot);
  }
}

std::optional<stats::ThresholdOutcome> ThresholdWatch::judge_one(
    std::size_t index, const stats::Snapshot& now, const stats::Recorder& gauges) const {
  const SourcedThreshold& t = thresholds_[index];
  const auto baseline = baselines_.find(t.threshold.warmup);
  if (baseline == baselines_.end()) return std::nullopt;  // still warming up
  stats::Recorder window = now.totals.since(baseline->second.totals);
  window.open = gauges.open;
  window.target = gauges.target;
  window.in_state = gauges.in_state;
  for (std::size_t i = 0; i < window.actions.size() && i < gauges.actions.size(); ++i) {
    window.actions[i].in_flight = gauges.actions[i].in_flight;
  }
  const double seconds = Seconds(now.taken - baseline->second.taken).count();
  stats::ThresholdOutcome outcome{t.threshold, t.source, {}, seconds, false};
  outcome.result = stats::evaluate_threshold(t.threshold, window, action_names_, seconds);
  return outcome;
}

std::vector<stats::ThresholdOutcome> ThresholdWatch::judge_live(const stats::Snapshot& now) const {
  std::vector<stats::ThresholdOutcome> out;
  for (std::size_t i = 0; i < thresholds_.size(); ++i) {
    if (auto outcome = judge_one(i, now, now.totals)) {
      out.push_back(std::move(*outcome));
    } else {
      stats::ThresholdOutcome waiting{
          thresholds_[i].threshold, thresholds_[i].source, {}, 0, false};
      waiting.result.pass = true;
      waiting.result.shown = "warming up";
      out.push_back(std::move(waiting));
    }
  }
  return out;
}

std::optional<stats::ThresholdOutcome> ThresholdWatch::check_abort(const stats::Snapshot& now) {
  if (aborted_by_) return aborted_by_;
  for (std::size_t i = 0; i < thresholds_.size(); ++i) {
    if (!thresholds_[i].threshold.abort) continue;
    auto outcome = judge_one(i, now, now.totals);
    // A latency with no replies yet is not a failure to abort on.
    if (!outcome || !outcome->result.has_data || outcome->result.pass) continue;
    outcome->aborted_run = true;
    aborted_by_ = outcome;
    aborted_index_ = i;
    return outcome;
  }
  return std::nullopt;
}

std::vector<stats::ThresholdOutcome> ThresholdWatch::judge_final(
    const stats::Snapshot& end, const stats::Recorder& at_stop) const {
  std::vector<stats::ThresholdOutcome> out;
  for (std::size_t i = 0; i < thresholds_.size(); ++i) {
    if (aborted_index_ == i) {
      out.push_back(*aborted_by_);  // as it was when it stopped the run
    } else if (auto outcome = judge_one(i, end, at_stop)) {
      out.push_back(std::move(*outcome));
    } else {
      const SourcedThreshold& t = thresholds_[i];
      stats::ThresholdOutcome short_run{t.threshold, t.source, {}, 0, false};
      short_run.result.shown = "run shorter than warmup";
      out.push_back(std::move(short_run));
    }
  }
  return out;
}

}  // namespace swarm::app
