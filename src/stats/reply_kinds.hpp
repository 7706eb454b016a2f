// ReplyKinds: one command's replies counted by what the server answered,
// when the protocol tells: an error reply's first word (redis "-WRONGTYPE",
// memcached "NOT_STORED"), or an outcome ("hit", "miss"). The server did
// answer, so these are not I/O failures; reports list them apart ("reply
// errors", "reply kinds").
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace swarm::stats {

class ReplyKinds {
 public:
  /// Distinct kinds kept per command; later ones are counted under kOther
  /// (a server that puts a key in its first word must not grow this).
  static constexpr std::size_t kMaxKinds = 64;
  static constexpr std::string_view kOther = "(other)";

  /// How often one kind was seen.
  struct Count {
    std::uint64_t times = 0;  // replies of this kind
    bool error = false;       // the server refused the request
  };
  using Map = std::map<std::string, Count, std::less<>>;

  /// Counts one reply of `kind`. Allocates only the first time a kind is
  /// seen.
  void add(std::string_view kind, bool error, std::uint64_t times = 1);
  /// Adds every count of `other`.
  void merge(const ReplyKinds& other);
  /// What was counted after `earlier` was copied from this one.
  ReplyKinds since(const ReplyKinds& earlier) const;

  const Map& all() const noexcept { return kinds_; }
  bool empty() const noexcept { return kinds_.empty(); }

 private:
  Map kinds_;  // kind -> count, sorted by kind
};

}  // namespace swarm::stats
