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
  r.actions.resize(actions);
  for (auto& a : r.actions) {
    a.requests = n;
    a.latency_us.record(n);
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

}  // namespace
}  // namespace swarm::stats
