#include "stats/interval_record.hpp"

#include "stats/command_rows.hpp"

namespace swarm::stats {
namespace {

using Seconds = std::chrono::duration<double>;

std::uint64_t delta(std::uint64_t now, std::uint64_t before) {
  return now > before ? now - before : 0;
}

}  // namespace

LatencySummary summarize(const Histogram& h) {
  LatencySummary s;
  s.count = h.count();
  s.min = h.min();
  s.mean = h.mean();
  for (std::size_t i = 0; i < kSummaryPercentiles.size(); ++i) {
    s.points[i] = h.percentile(kSummaryPercentiles[i]);
  }
  s.max = h.max();
  return s;
}

IntervalRecord interval_record(const ReportContext& context, const Snapshot& now,
                               const Snapshot& previous) {
  const Recorder& r = now.totals;
  const Recorder& before = previous.totals;
  IntervalRecord out;
  out.elapsed_s = Seconds(now.taken - context.started).count();
  out.seconds = Seconds(now.taken - previous.taken).count();
  out.target = context.target;
  out.open = r.open;
  out.in_state = r.in_state;
  out.connects = delta(r.connects, before.connects);
  out.attempts = delta(r.connect_attempts, before.connect_attempts);
  out.syn_retries = delta(r.syn_retries, before.syn_retries);
  out.requests = delta(r.requests, before.requests);
  out.replies = delta(r.replies, before.replies);
  out.iterations = delta(r.iterations, before.iterations);
  out.bytes_in = delta(r.bytes_in, before.bytes_in);
  out.bytes_out = delta(r.bytes_out, before.bytes_out);
  for (std::size_t i = 0; i < kReasons; ++i) out.errors[i] = delta(r.errors[i], before.errors[i]);
  out.connect_time = summarize(r.connect_us.since(before.connect_us));
  for (const auto& row : command_rows(context.action_names, r, &before)) {
    const CommandStats d = row.now.since(row.before);
    out.commands.push_back({row.name, d.calls, d.requests, d.replies, d.failed, d.errors,
                            row.now.in_flight, summarize(d.latency_us), d.scheduled,
                            summarize(d.intended_us)});
  }
  out.rate_mode = context.rate.used();
  if (out.rate_mode) {
    std::uint64_t scheduled = 0;
    for (const auto& command : out.commands) scheduled += command.scheduled;
    const double seconds = context.rate.seconds_on(previous.taken, now.taken);
    out.rate_target = context.rate.target_at(now.taken);
    out.rate_owed = r.owed_calls;
    out.rate_achieved = seconds > 0 ? static_cast<double>(scheduled) / seconds : 0;
  }
  return out;
}

}  // namespace swarm::stats
