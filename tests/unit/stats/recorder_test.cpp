#include "stats/recorder.hpp"

#include <gtest/gtest.h>

#include <string>

namespace swarm::stats {
namespace {

TEST(Recorder, NamesEveryStateAndReason) {
  EXPECT_STREQ(to_string(ConnState::connecting), "connecting");
  EXPECT_STREQ(to_string(ConnState::acting), "acting");
  EXPECT_STREQ(to_string(ConnState::standby), "standby");
  EXPECT_STREQ(to_string(ConnState::backoff), "backoff");
  EXPECT_STREQ(to_string(Reason::refused), "refused");
  EXPECT_STREQ(to_string(Reason::connect_timeout), "connect_timeout");
  EXPECT_STREQ(to_string(Reason::other), "other");
  EXPECT_STREQ(to_string(Reason::addr_not_available), "addr_not_available");
  EXPECT_NE(hint_for(Reason::addr_not_available), nullptr);
  EXPECT_EQ(hint_for(Reason::refused), nullptr);
  for (std::size_t i = 0; i < kReasons; ++i) {
    EXPECT_NE(std::string(to_string(static_cast<Reason>(i))), "unknown") << i;
  }
}

TEST(Recorder, CommandStatsMergeAdds) {
  CommandStats a;
  a.calls = 1;
  a.requests = 2;
  a.replies = 3;
  a.errors = 4;
  a.latency_us.record(100);
  CommandStats b = a;
  b.latency_us.record(300);
  a.merge(b);
  EXPECT_EQ(a.calls, 2u);
  EXPECT_EQ(a.requests, 4u);
  EXPECT_EQ(a.replies, 6u);
  EXPECT_EQ(a.errors, 8u);
  EXPECT_EQ(a.latency_us.count(), 3u);
  EXPECT_EQ(a.latency_us.max(), 300u);
}

Recorder worker(std::int64_t scale, std::size_t actions) {
  Recorder r;
  for (std::size_t i = 0; i < kConnStates; ++i) {
    r.in_state[i] = scale * static_cast<std::int64_t>(i + 1);
    r.entered[i] = static_cast<std::uint64_t>(scale) * 10;
  }
  const auto n = static_cast<std::uint64_t>(scale);
  r.open = scale;
  r.target = 2 * scale;
  r.connects = n;
  r.connect_attempts = 2 * n;
  r.requests = 100 * n;
  r.replies = 99 * n;
  r.bytes_in = 1000 * n;
  r.bytes_out = 500 * n;
  r.iterations = 7 * n;
  r.errors[static_cast<std::size_t>(Reason::timeout)] = n;
  r.dialing = scale;
  r.ended[static_cast<std::size_t>(Reason::refused)] = 3 * n;
  r.ended_by_plan = 4 * n;
  r.ended_by_console = 5 * n;
  r.actions.resize(actions);
  for (std::size_t i = 0; i < actions; ++i) {
    r.actions[i].requests = n;
    r.actions[i].latency_us.record(n);
  }
  r.script_errors["boom"] = n;
  return r;
}

TEST(Recorder, MergeAddsGaugesCountersAndGrowsActions) {
  Recorder total = worker(1, 1);
  total.merge(worker(2, 3));
  EXPECT_EQ(total.in_state[0], 3);
  EXPECT_EQ(total.in_state[3], 12);
  EXPECT_EQ(total.entered[2], 30u);
  EXPECT_EQ(total.open, 3);
  EXPECT_EQ(total.target, 6);
  EXPECT_EQ(total.connects, 3u);
  EXPECT_EQ(total.connect_attempts, 6u);
  EXPECT_EQ(total.requests, 300u);
  EXPECT_EQ(total.replies, 297u);
  EXPECT_EQ(total.bytes_in, 3000u);
  EXPECT_EQ(total.bytes_out, 1500u);
  EXPECT_EQ(total.iterations, 21u);
  EXPECT_EQ(total.errors[static_cast<std::size_t>(Reason::timeout)], 3u);
  EXPECT_EQ(total.dialing, 3);
  EXPECT_EQ(total.ended[static_cast<std::size_t>(Reason::refused)], 9u);
  EXPECT_EQ(total.ended_by_plan, 12u);
  EXPECT_EQ(total.ended_by_console, 15u);
  ASSERT_EQ(total.actions.size(), 3u);
  EXPECT_EQ(total.actions[0].requests, 3u);
  EXPECT_EQ(total.actions[0].latency_us.count(), 2u);
  EXPECT_EQ(total.actions[2].requests, 2u);
  EXPECT_EQ(total.script_errors.at("boom"), 3u);
}

TEST(Recorder, MergeIntoEmptyCopies) {
  Recorder total;
  total.merge(worker(5, 2));
  EXPECT_EQ(total.actions.size(), 2u);
  EXPECT_EQ(total.requests, 500u);
  // A shorter recorder merged into a longer one keeps the length.
  total.merge(worker(1, 1));
  EXPECT_EQ(total.actions.size(), 2u);
  EXPECT_EQ(total.actions[1].requests, 5u);
}

TEST(Recorder, EveryRequestEndsOneWayOrIsInFlight) {
  Recorder r;
  r.actions.resize(2);
  for (int i = 0; i < 7; ++i) r.count_request(1);
  r.count_reply(1, 250);
  r.count_reply(1, 350);
  r.count_request_end(1, RequestEnd::sent);
  r.count_request_end(1, RequestEnd::failed);
  r.count_request_end(1, RequestEnd::abandoned);
  const CommandStats& s = r.actions[1];
  EXPECT_EQ(r.requests, 7u);
  EXPECT_EQ(r.replies, 2u);
  EXPECT_EQ(s.requests, 7u);
  EXPECT_EQ(s.replies, 2u);
  EXPECT_EQ(s.no_reply, 1u);
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.abandoned, 1u);
  EXPECT_EQ(s.in_flight, 2);
  EXPECT_EQ(s.requests, s.replies + s.no_reply + s.failed + s.abandoned +
                            static_cast<std::uint64_t>(s.in_flight));
  EXPECT_EQ(s.latency_us.count(), 2u);
  EXPECT_EQ(all_commands(r).requests, 7u);
}

TEST(Recorder, HandshakesCountTimeAndSynRetries) {
  Recorder r;
  r.count_handshake(300, false);
  r.count_handshake(1'000'300, true);
  EXPECT_EQ(r.syn_retries, 1u);
  EXPECT_EQ(r.connect_us.count(), 2u);
  EXPECT_EQ(r.connect_us.max(), 1'000'300u);
  Recorder other = r;
  r.merge(other);
  EXPECT_EQ(r.syn_retries, 2u);
  EXPECT_EQ(r.connect_us.count(), 4u);
}

TEST(Recorder, SinceKeepsWhatHappenedInBetweenAndGaugesAsNow) {
  Recorder before;
  before.actions.resize(1);
  before.count_request(0);
  before.count_reply(0, 100);
  before.count_handshake(50, false);
  ++before.connects;
  before.script_errors["old"] = 2;
  before.open = 1;
  Recorder now = before;
  now.count_request(0);
  now.count_request(0);
  now.count_reply(0, 900);
  now.count_handshake(70, true);
  ++now.connects;
  now.script_errors["old"] = 3;
  now.script_errors["new"] = 1;
  now.open = 5;
  const Recorder diff = now.since(before);
  EXPECT_EQ(diff.requests, 2u);
  EXPECT_EQ(diff.replies, 1u);
  EXPECT_EQ(diff.actions[0].requests, 2u);
  EXPECT_EQ(diff.actions[0].in_flight, 1);  // a gauge: as now
  EXPECT_EQ(diff.actions[0].latency_us.count(), 1u);
  EXPECT_EQ(diff.actions[0].latency_us.min(), 900u);
  EXPECT_EQ(diff.connects, 1u);
  EXPECT_EQ(diff.syn_retries, 1u);
  EXPECT_EQ(diff.connect_us.count(), 1u);
  EXPECT_EQ(diff.open, 5);
  EXPECT_EQ(diff.script_errors.at("old"), 1u);
  EXPECT_EQ(diff.script_errors.at("new"), 1u);
}

TEST(MessageCounts, DistinctMessagesAreBoundedAndLongOnesCut) {
  MessageCounts counts;
  for (int i = 0; i < 1000; ++i) ++counts["unexpected reply " + std::to_string(i)];
  EXPECT_EQ(counts.size(), MessageCounts::kMaxDistinct + 1);
  EXPECT_EQ(counts.at("unexpected reply 7"), 1u);
  EXPECT_EQ(counts.at(MessageCounts::kOthers), 1000u - MessageCounts::kMaxDistinct);
  ++counts["unexpected reply 7"];  // a message already kept is still counted as itself
  EXPECT_EQ(counts.at("unexpected reply 7"), 2u);

  MessageCounts cut;
  ++cut[std::string(5000, 'x')];
  EXPECT_EQ(cut.begin()->first.size(), MessageCounts::kMaxBytes);
}

TEST(ActionStats, ActionsOfOneCommandShareTheirCounts) {
  ActionStats stats;
  std::vector<std::string> names(40'000, "get");
  names[1] = "login";
  stats.assign(names);
  EXPECT_EQ(stats.size(), 40'000u);
  ASSERT_EQ(stats.commands().size(), 2u);  // two histograms, not 40 000
  stats[0].requests += 1;
  stats[39'999].requests += 1;
  stats[1].requests += 5;
  EXPECT_EQ(stats[2].requests, 2u);
  EXPECT_EQ(stats.command_of(0), 0u);
  EXPECT_EQ(stats.command_of(1), 1u);
  EXPECT_EQ(stats.commands()[1].requests, 5u);

  ActionStats total;  // empty: takes the shape of what is merged in
  total.merge(stats);
  total.merge(stats);
  EXPECT_EQ(total.size(), 40'000u);
  EXPECT_EQ(total[7].requests, 4u);
  EXPECT_EQ(total[1].requests, 10u);
}

TEST(ActionStats, SumsOverActionsCountASharedCommandOnce) {
  Recorder r;
  r.actions.assign({"get", "login", "get"});
  r.count_request(0);
  r.count_request(2);
  r.count_request(1);
  EXPECT_EQ(all_commands(r).requests, 3u);
  EXPECT_TRUE(r.actions.owns(0));
  EXPECT_TRUE(r.actions.owns(1));
  EXPECT_FALSE(r.actions.owns(2));
  const Recorder later = r;
  r.count_request(2);
  EXPECT_EQ(r.since(later).actions[0].requests, 1u);
}

TEST(Recorder, ReplyKindsAndReceivedMessagesMerge) {
  Recorder a = worker(1, 1);
  Recorder b = worker(1, 1);
  a.actions[0].reply_kinds.add("hit", false, 2);
  b.actions[0].reply_kinds.add("hit", false, 3);
  b.actions[0].reply_kinds.add("-ERR", true);
  a.received.count("news");
  b.received.count("news");
  b.received.count("sport");
  b.received.latency_us.record(7);
  a.merge(b);
  const auto& kinds = a.actions[0].reply_kinds.all();
  EXPECT_EQ(kinds.at("hit").times, 5u);
  EXPECT_FALSE(kinds.at("hit").error);
  EXPECT_TRUE(kinds.at("-ERR").error);
  EXPECT_EQ(a.received.messages, 3u);
  EXPECT_EQ(a.received.by_topic.at("news"), 2u);
  EXPECT_EQ(a.received.latency_us.count(), 1u);
}

TEST(ReplyKinds, ManyKindsEndUnderOther) {
  ReplyKinds kinds;
  for (std::size_t i = 0; i < ReplyKinds::kMaxKinds + 10; ++i) {
    kinds.add("-KIND" + std::to_string(i), true);
  }
  EXPECT_EQ(kinds.all().size(), ReplyKinds::kMaxKinds + 1);
  EXPECT_EQ(kinds.all().at(std::string(ReplyKinds::kOther)).times, 10u);
  ReplyKinds earlier = kinds;
  kinds.add("-KIND0", true, 4);
  ReplyKinds recent = kinds.since(earlier);
  ASSERT_EQ(recent.all().size(), 1u);
  EXPECT_EQ(recent.all().at("-KIND0").times, 4u);
}

TEST(ReceivedStats, TopicsPastTheLimitAreCountedTogether) {
  ReceivedStats received;
  for (std::size_t i = 0; i < ReceivedStats::kMaxTopics + 5; ++i) {
    received.count("t" + std::to_string(i));
  }
  EXPECT_EQ(received.messages, ReceivedStats::kMaxTopics + 5);
  EXPECT_EQ(received.by_topic.size(), ReceivedStats::kMaxTopics);
  EXPECT_EQ(received.other_topics, 5u);
}

}  // namespace
}  // namespace swarm::stats
