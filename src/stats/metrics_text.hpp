// Metrics text: the run's counters, gauges and latency histograms in
// Prometheus' text exposition format (0.0.4) or in OpenMetrics 1.0, for
// GET /metrics. Pure functions of a snapshot, like the other reports.
//
// Latency histograms have fixed bounds (kLatencyBucketsSeconds), the same on
// every agent and every run, so several agents' buckets add up in PromQL
// (sum by (le) (rate(swarm_request_duration_seconds_bucket[1m]))).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "stats/histogram.hpp"
#include "stats/recorder.hpp"
#include "stats/report.hpp"

namespace swarm::stats {

/// Which exposition format to write.
enum class MetricsFormat {
  prometheus,   // text/plain; version=0.0.4
  openmetrics,  // application/openmetrics-text; version=1.0.0
};

/// The upper bounds (`le`, seconds) of every latency histogram's buckets,
/// +Inf aside: 1-2.5-5 steps from 10 µs to 5 s, then 10, 30, 60 s.
inline constexpr std::array<double, 22> kLatencyBucketsSeconds = {
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
    0.05,    0.1,      0.25,    0.5,    1,       2.5,    5,     10,     30,    60,   120};

/// What the metrics say about swarm itself.
struct MetricsInfo {
  std::string version;      // swarm_build_info{version}
  std::string protocol;     // swarm_build_info{protocol}: the plan's module
  double start_time_s = 0;  // swarm_start_time_seconds: Unix time the run began
};

/// The format asked for by an HTTP Accept header: OpenMetrics when it names
/// application/openmetrics-text, otherwise Prometheus text.
MetricsFormat metrics_format_for(std::string_view accept);

/// The Content-Type header value of `format`.
std::string_view metrics_content_type(MetricsFormat format);

/// Cumulative counts of `histogram` (µs) at each of kLatencyBucketsSeconds:
/// a value counts under a bound when the lowest value of its HDR bucket is
/// at or below it. Exact below 256 µs; above, a count may include values of
/// the one HDR bucket that starts at the bound (at most 1/128 above it).
/// +Inf is count().
std::array<std::uint64_t, kLatencyBucketsSeconds.size()> cumulative_buckets(
    const Histogram& histogram);

/// The exposition of `totals` (every worker merged) in `format`.
std::string format_metrics(const ReportContext& context, const Recorder& totals,
                           const MetricsInfo& info, MetricsFormat format);

}  // namespace swarm::stats
