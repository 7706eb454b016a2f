#include "stats/received.hpp"

namespace swarm::stats {

void ReceivedStats::count(std::string_view topic) {
  ++messages;
  if (topic.empty()) return;
  auto found = by_topic.find(topic);
  if (found != by_topic.end()) {
    ++found->second;
  } else if (by_topic.size() < kMaxTopics) {
    by_topic.emplace(std::string(topic), 1);
  } else {
    ++other_topics;
  }
}

void ReceivedStats::merge(const ReceivedStats& other) {
  messages += other.messages;
  other_topics += other.other_topics;
  for (const auto& [topic, times] : other.by_topic) {
    auto found = by_topic.find(topic);
    if (found != by_topic.end()) {
      found->second += times;
    } else if (by_topic.size() < kMaxTopics) {
      by_topic.emplace(topic, times);
    } else {
      other_topics += times;
    }
  }
  latency_us.merge(other.latency_us);
}

ReceivedStats ReceivedStats::since(const ReceivedStats& earlier) const {
  ReceivedStats out;
  out.messages = messages > earlier.messages ? messages - earlier.messages : 0;
  out.other_topics = other_topics > earlier.other_topics ? other_topics - earlier.other_topics : 0;
  for (const auto& [topic, times] : by_topic) {
    auto before = earlier.by_topic.find(topic);
    const std::uint64_t seen = before == earlier.by_topic.end() ? 0 : before->second;
    if (times > seen) out.by_topic.emplace(topic, times - seen);
  }
  out.latency_us = latency_us.since(earlier.latency_us);
  return out;
}

}  // namespace swarm::stats
