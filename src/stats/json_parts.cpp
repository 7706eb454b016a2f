#include "stats/json_parts.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace swarm::stats::json_parts {

json summary_json(const LatencySummary& s) {
  json out = {{"count", s.count}, {"min", s.min}, {"mean", s.mean}, {"max", s.max}};
  for (std::size_t i = 0; i < kSummaryNames.size(); ++i) out[kSummaryNames[i]] = s.points[i];
  return out;
}

json latency_json(const Histogram& h) {
  json out = summary_json(summarize(h));
  out["unit"] = "us";
  out["sum"] = h.sum();
  json buckets = json::array();
  h.for_each_bucket([&](std::size_t index, std::uint64_t count) {
    buckets.push_back({Histogram::lowest_in(index), Histogram::highest_in(index), count});
  });
  out["histogram"] = {{"layout", "log-linear"},
                      {"sub_bucket_bits", Histogram::kSubBucketBits},
                      {"max_bits", Histogram::kMaxBits},
                      {"relative_error", Histogram::kRelativeError},
                      {"buckets", std::move(buckets)}};
  return out;
}

Histogram histogram_from(const nlohmann::json& latency) {
  try {
    std::vector<std::pair<std::size_t, std::uint64_t>> buckets;
    for (const auto& bucket : latency.at("histogram").at("buckets")) {
      const auto lowest = bucket.at(0).get<std::uint64_t>();
      const std::size_t index = Histogram::index_of(lowest);
      if (Histogram::lowest_in(index) != lowest) {
        throw std::invalid_argument(fmt::format("{} is not a bucket's lowest value", lowest));
      }
      buckets.emplace_back(index, bucket.at(2).get<std::uint64_t>());
    }
    return Histogram::from_parts(buckets, latency.at("sum").get<std::uint64_t>(),
                                 latency.at("min").get<std::uint64_t>(),
                                 latency.at("max").get<std::uint64_t>());
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(std::string("latency object: ") + error.what());
  }
}

json reasons_json(const std::array<std::uint64_t, kReasons>& counts) {
  json out = json::object();
  for (std::size_t i = 0; i < kReasons; ++i) out[to_string(static_cast<Reason>(i))] = counts[i];
  return out;
}

std::array<std::uint64_t, kReasons> reasons_from(const nlohmann::json& object) {
  std::array<std::uint64_t, kReasons> counts{};
  for (const auto& [name, value] : object.items()) {
    std::size_t i = 0;
    while (i < kReasons && name != to_string(static_cast<Reason>(i))) ++i;
    if (i == kReasons) throw std::invalid_argument(fmt::format("unknown reason '{}'", name));
    counts[i] = value.get<std::uint64_t>();
  }
  return counts;
}

}  // namespace swarm::stats::json_parts
