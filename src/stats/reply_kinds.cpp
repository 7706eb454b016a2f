#include "stats/reply_kinds.hpp"

namespace swarm::stats {

void ReplyKinds::add(std::string_view kind, bool error, std::uint64_t times) {
  auto found = kinds_.find(kind);
  if (found == kinds_.end()) {
    if (kinds_.size() >= kMaxKinds) kind = kOther;
    found = kinds_.try_emplace(std::string(kind)).first;
  }
  found->second.times += times;
  found->second.error = found->second.error || error;
}

void ReplyKinds::merge(const ReplyKinds& other) {
  for (const auto& [kind, count] : other.kinds_) add(kind, count.error, count.times);
}

ReplyKinds ReplyKinds::since(const ReplyKinds& earlier) const {
  ReplyKinds out;
  for (const auto& [kind, count] : kinds_) {
    auto before = earlier.kinds_.find(kind);
    const std::uint64_t seen = before == earlier.kinds_.end() ? 0 : before->second.times;
    if (count.times > seen) out.add(kind, count.error, count.times - seen);
  }
  return out;
}

}  // namespace swarm::stats
