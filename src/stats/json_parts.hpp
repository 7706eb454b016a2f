// JSON pieces shared by the report (json_report.cpp) and the snapshot an
// agent serves its controller (snapshot_json.cpp): latency distributions
// with every bucket, counts by reason and by state. Internal to the stats
// layer.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "stats/histogram.hpp"
#include "stats/interval_record.hpp"
#include "stats/recorder.hpp"

namespace swarm::stats::json_parts {

// Keys stay in the order written: a report reads top down.
using json = nlohmann::ordered_json;

/// {"count", "min", "mean", "max", "p50" ... "p99.99"}.
json summary_json(const LatencySummary& summary);

/// A full latency distribution: the summary, the exact sum and every
/// non-empty bucket as [lowest, highest, count], enough to merge bucket by
/// bucket.
json latency_json(const Histogram& histogram);

/// The Histogram a latency_json() object describes (equal to the one
/// written). Throws std::invalid_argument on a malformed object.
Histogram histogram_from(const nlohmann::json& latency);

/// {"refused": n, ...}: every reason, in enum order.
json reasons_json(const std::array<std::uint64_t, kReasons>& counts);

/// Reads reasons_json() back; reasons it does not name stay 0, names it
/// does not know are refused (std::invalid_argument).
std::array<std::uint64_t, kReasons> reasons_from(const nlohmann::json& object);

/// {"connecting": n, ...}: every connection state, in enum order.
template <class Array>
json states_json(const Array& counts) {
  json out = json::object();
  for (std::size_t i = 0; i < kConnStates; ++i) {
    out[to_string(static_cast<ConnState>(i))] = counts[i];
  }
  return out;
}

/// Reads states_json() back into `counts` (states it does not name stay 0).
template <class Array>
void states_from(const nlohmann::json& object, Array& counts) {
  for (std::size_t i = 0; i < kConnStates; ++i) {
    const auto it = object.find(to_string(static_cast<ConnState>(i)));
    if (it != object.end()) counts[i] = it->template get<typename Array::value_type>();
  }
}

}  // namespace swarm::stats::json_parts
