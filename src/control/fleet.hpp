// Fleet: the agents a controller knows, by address, and what their answers
// add up to. It decides who is in (answers, runs the fleet's plan), who is
// lost (no answer for kMissesToLose intervals: its last counts kept, its
// gauges no longer counted) and who is refused (another plan), and says so
// in sentences for the user. Merging is Recorder::merge on every agent's
// last snapshot: counters sum, histograms add bucket by bucket.
#pragma once

#include <asio/ip/tcp.hpp>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "control/agent.hpp"
#include "stats/recorder.hpp"
#include "stats/snapshot_json.hpp"

namespace swarm::control {

class Fleet {
 public:
  /// Adds every endpoint not seen before, as a waiting agent.
  void offer(const std::vector<asio::ip::tcp::endpoint>& endpoints);

  /// Every agent's current run, in address order (asked every interval).
  std::vector<Agent*> agents();
  std::vector<const Agent*> agents() const;
  /// The agents that take part (up), in address order: shares go by this
  /// order.
  std::vector<Agent*> members();
  /// Earlier runs at an address (an agent that restarted): counts only.
  const std::vector<Agent>& retired() const noexcept { return retired_; }
  /// Agents that answered at least once (up, refused, or waiting to be
  /// checked).
  std::size_t answered() const;

  /// The plan + module digest the fleet runs: agents with another are
  /// refused from now on; waiting ones that match join.
  void admit(const std::string& digest);
  const std::string& digest() const noexcept { return digest_; }

  /// `agent` answered with `snapshot` after `round_trip_s`. Returns what the
  /// user should read about it (joined, restarted, back, refused), if anything.
  std::vector<std::string> answered(Agent& agent, stats::RunSnapshot snapshot, double round_trip_s,
                                    Clock::time_point now);
  /// `agent` did not answer, because of `why`; `count`: as its answer of
  /// an interval (kMissesToLose of them in a row make it lost), not an
  /// extra question (`stat`). Returns what the user should read (lost).
  std::vector<std::string> missed(Agent& agent, const std::string& why, bool count = true);

  /// Whether someone joined or left since the last call (and forgets it).
  bool take_membership_change() noexcept { return std::exchange(changed_, false); }

  /// Every counted agent's last counts merged (the retired too); gauges
  /// (open, states, in flight, memory) of members only: a lost agent's
  /// connections are gone or unknown.
  stats::Recorder merged() const;
  /// The fleet's connections asked for: the sum of the members' shares.
  std::uint64_t shares() const;

 private:
  void join(Agent& agent, std::vector<std::string>& news);
  void check(Agent& agent, std::vector<std::string>& news);

  std::map<std::string, Agent> agents_;  // by address; nodes stay put (pointers are kept)
  std::vector<Agent> retired_;           // earlier runs of restarted agents
  std::string digest_;                   // the fleet's plan + module (empty: not yet known)
  bool changed_ = false;                 // membership changed since take_membership_change()
};

/// `recorder` with its gauges zeroed (counters and histograms kept).
stats::Recorder counts_only(stats::Recorder recorder);

}  // namespace swarm::control
