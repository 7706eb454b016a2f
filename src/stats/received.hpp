// ReceivedStats: what servers sent of their own accord (pub/sub messages,
// chat broadcasts, MQTT publishes to a subscriber), as one worker counts it:
// messages in all, per topic, and the publish-to-receive latency of those
// that carry swarm's send stamp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "stats/histogram.hpp"

namespace swarm::stats {

struct ReceivedStats {
  /// Distinct topics counted one by one; messages on later ones go to
  /// `other_topics` (a plan that subscribes to a million channels must not
  /// grow this without bound).
  static constexpr std::size_t kMaxTopics = 1000;

  std::uint64_t messages = 0;                                  // counter: every message
  std::map<std::string, std::uint64_t, std::less<>> by_topic;  // counter: per topic (not "")
  std::uint64_t other_topics = 0;  // counter: messages on topics past kMaxTopics
  Histogram latency_us;            // stamped messages: sent (by the stamp) to received

  /// One message on `topic` (may be empty). Allocates only the first time
  /// a topic is seen.
  void count(std::string_view topic);
  /// Adds `other` into this one.
  void merge(const ReceivedStats& other);
  /// What was counted after `earlier` was copied from this one.
  ReceivedStats since(const ReceivedStats& earlier) const;
};

}  // namespace swarm::stats
