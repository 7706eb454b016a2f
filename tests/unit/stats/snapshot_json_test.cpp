// The snapshot an agent serves its controller: read back exactly, and
// merged from several agents into exactly what one process would have
// counted (every percentile identical to one histogram fed every sample).
#include "stats/snapshot_json.hpp"

#include <gtest/gtest.h>

#include <random>

namespace swarm::stats {
namespace {

const std::vector<std::string> kActions = {"get", "set", "get"};

/// A recorder with every field set, each to a value of its own.
Recorder every_field() {
  Recorder r;
  r.actions.assign(kActions);
  std::uint64_t n = 1;
  for (auto& v : r.in_state) v = static_cast<std::int64_t>(n++);
  for (auto& v : r.entered) v = n++;
  r.open = 31;
  r.target = 32;
  r.connects = 33;
  r.connect_attempts = 34;
  r.dialing = 35;
  r.requests = 36;
  r.replies = 37;
  r.bytes_in = 38;
  r.bytes_out = 39;
  r.iterations = 40;
  r.syn_retries = 41;
  r.connect_us.record_n(150, 3);
  r.connect_us.record(90000);
  for (auto& v : r.errors) v = n++;
  for (auto& v : r.ended) v = n++;
  r.ended_by_plan = 42;
  r.ended_by_console = 43;
  for (std::size_t i = 0; i < 2; ++i) {
    CommandStats& c = r.actions.command(i);
    c.calls = 100 + i;
    c.requests = 200 + i;
    c.replies = 300 + i;
    c.no_reply = 400 + i;
    c.failed = 500 + i;
    c.abandoned = 600 + i;
    c.in_flight = 7 + static_cast<std::int64_t>(i);
    c.errors = 800 + i;
    c.bytes_in = 900 + i;
    c.bytes_out = 1000 + i;
    c.scheduled = 1100 + i;
    c.latency_us.record_n(1234 + i, 5);
    c.intended_us.record_n(4321 + i, 6);
    c.reply_kinds.add("-WRONGTYPE", true, 3 + i);
    c.reply_kinds.add("hit", false, 9);
  }
  r.script_errors["boom \xff quoted"] = 5;
  r.script_errors["other"] = 6;
  r.tls_handshakes = 45;
  r.tls_resumed = 46;
  r.handshake_us.record_n(2500, 7);
  r.error_details["tls_alert:unknown_ca"] = {3, "alert unknown ca"};
  r.error_details["tls_verify"] = {2, "certificate has expired"};
  r.received.messages = 47;
  r.received.by_topic["news"] = 40;
  r.received.by_topic["chat"] = 5;
  r.received.other_topics = 2;
  r.received.latency_us.record_n(777, 40);
  r.memory = {1, 2, 3, 4, 5, 6, 7};
  r.owed_calls = 44;
  return r;
}

void expect_same(const CommandStats& a, const CommandStats& b) {
  EXPECT_EQ(a.calls, b.calls);
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.replies, b.replies);
  EXPECT_EQ(a.no_reply, b.no_reply);
  EXPECT_EQ(a.failed, b.failed);
  EXPECT_EQ(a.abandoned, b.abandoned);
  EXPECT_EQ(a.in_flight, b.in_flight);
  EXPECT_EQ(a.errors, b.errors);
  EXPECT_EQ(a.bytes_in, b.bytes_in);
  EXPECT_EQ(a.bytes_out, b.bytes_out);
  EXPECT_EQ(a.scheduled, b.scheduled);
  EXPECT_EQ(a.latency_us, b.latency_us);
  EXPECT_EQ(a.intended_us, b.intended_us);
  ASSERT_EQ(a.reply_kinds.all().size(), b.reply_kinds.all().size());
  for (const auto& [kind, count] : a.reply_kinds.all()) {
    EXPECT_EQ(b.reply_kinds.all().at(kind).times, count.times) << kind;
    EXPECT_EQ(b.reply_kinds.all().at(kind).error, count.error) << kind;
  }
}

void expect_same(const Recorder& a, const Recorder& b) {
  EXPECT_EQ(a.in_state, b.in_state);
  EXPECT_EQ(a.entered, b.entered);
  EXPECT_EQ(a.open, b.open);
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.connects, b.connects);
  EXPECT_EQ(a.connect_attempts, b.connect_attempts);
  EXPECT_EQ(a.dialing, b.dialing);
  EXPECT_EQ(a.requests, b.requests);
  EXPECT_EQ(a.replies, b.replies);
  EXPECT_EQ(a.bytes_in, b.bytes_in);
  EXPECT_EQ(a.bytes_out, b.bytes_out);
  EXPECT_EQ(a.iterations, b.iterations);
  EXPECT_EQ(a.syn_retries, b.syn_retries);
  EXPECT_EQ(a.connect_us, b.connect_us);
  EXPECT_EQ(a.errors, b.errors);
  EXPECT_EQ(a.ended, b.ended);
  EXPECT_EQ(a.ended_by_plan, b.ended_by_plan);
  EXPECT_EQ(a.ended_by_console, b.ended_by_console);
  ASSERT_EQ(a.actions.size(), b.actions.size());
  ASSERT_EQ(a.actions.commands().size(), b.actions.commands().size());
  for (std::size_t i = 0; i < a.actions.size(); ++i) {
    EXPECT_EQ(a.actions.command_of(i), b.actions.command_of(i));
  }
  for (std::size_t i = 0; i < a.actions.commands().size(); ++i) {
    expect_same(a.actions.commands()[i], b.actions.commands()[i]);
  }
  ASSERT_EQ(a.script_errors.size(), b.script_errors.size());
  for (const auto& [message, count] : a.script_errors) {
    EXPECT_EQ(b.script_errors.at(message), count) << message;
  }
  EXPECT_EQ(a.memory.connections, b.memory.connections);
  EXPECT_EQ(a.memory.frames, b.memory.frames);
  EXPECT_EQ(a.memory.spill, b.memory.spill);
  EXPECT_EQ(a.memory.module, b.memory.module);
  EXPECT_EQ(a.memory.index, b.memory.index);
  EXPECT_EQ(a.memory.buffers, b.memory.buffers);
  EXPECT_EQ(a.memory.tls, b.memory.tls);
  EXPECT_EQ(a.tls_handshakes, b.tls_handshakes);
  EXPECT_EQ(a.received.messages, b.received.messages);
  EXPECT_EQ(a.received.by_topic, b.received.by_topic);
  EXPECT_EQ(a.received.other_topics, b.received.other_topics);
  EXPECT_EQ(a.received.latency_us, b.received.latency_us);
  EXPECT_EQ(a.tls_resumed, b.tls_resumed);
  EXPECT_EQ(a.handshake_us, b.handshake_us);
  ASSERT_EQ(a.error_details.size(), b.error_details.size());
  for (const auto& [kind, detail] : a.error_details) {
    EXPECT_EQ(b.error_details.at(kind).count, detail.count) << kind;
    EXPECT_EQ(b.error_details.at(kind).first, detail.first) << kind;
  }
  EXPECT_EQ(a.owed_calls, b.owed_calls);
}

RunSnapshot snapshot_of(Recorder totals) {
  RunSnapshot s;
  s.agent = {"0123456789abcdef", "1.2.3", "sha256:ab", "node-7", 1.7e9};
  s.taken_unix = 1.7e9 + 12.5;
  s.elapsed_s = 12.5;
  s.interval_s = 2;
  s.target = 32;
  s.rate = 250.5;
  s.stopping = false;
  s.action_names = kActions;
  s.totals = std::move(totals);
  s.silent_workers = 1;
  return s;
}

TEST(SnapshotJson, ReadsBackEveryField) {
  const RunSnapshot written = snapshot_of(every_field());
  const RunSnapshot read = parse_snapshot_json(format_snapshot_json(written));
  EXPECT_EQ(read.agent.run_id, "0123456789abcdef");
  EXPECT_EQ(read.agent.version, "1.2.3");
  EXPECT_EQ(read.agent.digest, "sha256:ab");
  EXPECT_EQ(read.agent.host, "node-7");
  EXPECT_EQ(read.agent.started_unix, 1.7e9);
  EXPECT_EQ(read.taken_unix, written.taken_unix);
  EXPECT_EQ(read.elapsed_s, 12.5);
  EXPECT_EQ(read.interval_s, 2);
  EXPECT_EQ(read.target, 32);
  EXPECT_EQ(read.rate, 250.5);
  EXPECT_EQ(read.action_names, kActions);
  EXPECT_EQ(read.silent_workers, 1u);
  Recorder expected = written.totals;
  // Invalid UTF-8 in a message is replaced (JSON carries text), not lost.
  expected.script_errors = {};
  expected.script_errors["boom \xef\xbf\xbd quoted"] = 5;
  expected.script_errors["other"] = 6;
  expect_same(read.totals, expected);
}

/// Samples with a long tail, as latencies have.
std::vector<std::uint64_t> samples(std::uint64_t seed, std::size_t count) {
  std::mt19937_64 random(seed);
  std::lognormal_distribution<double> skewed(6.0 + static_cast<double>(seed % 3), 1.7);
  std::vector<std::uint64_t> out(count);
  for (auto& v : out) v = static_cast<std::uint64_t>(skewed(random));
  return out;
}

TEST(SnapshotJson, AgentsMergeIntoExactlyWhatOneProcessWouldRecord) {
  // Three agents each record their own samples; the controller reads their
  // snapshots and merges. One process recording every sample is the oracle.
  Recorder one;
  one.actions.assign(kActions);
  Recorder merged;
  for (std::uint64_t agent = 0; agent < 3; ++agent) {
    Recorder own;
    own.actions.assign(kActions);
    for (const auto value : samples(agent + 1, 20000 + agent * 7919)) {
      own.count_request(0);
      own.count_reply(0, value);
      one.count_request(0);
      one.count_reply(0, value);
    }
    for (const auto value : samples(agent + 11, 3000)) {
      own.connect_us.record(value);
      one.connect_us.record(value);
    }
    merged.merge(parse_snapshot_json(format_snapshot_json(snapshot_of(own))).totals);
  }
  const Histogram& got = merged.actions.commands()[0].latency_us;
  const Histogram& want = one.actions.commands()[0].latency_us;
  EXPECT_EQ(got, want);
  EXPECT_EQ(got.count(), want.count());
  EXPECT_EQ(got.sum(), want.sum());
  for (int tenths = 0; tenths <= 1000; ++tenths) {
    const double p = tenths / 10.0;
    ASSERT_EQ(got.percentile(p), want.percentile(p)) << "p" << p;
  }
  for (const double p : {99.9, 99.99, 99.999}) EXPECT_EQ(got.percentile(p), want.percentile(p));
  EXPECT_EQ(merged.connect_us, one.connect_us);
  EXPECT_EQ(merged.requests, one.requests);
  EXPECT_EQ(merged.replies, one.replies);
}

TEST(SnapshotJson, RefusesWhatIsNotASnapshot) {
  EXPECT_THROW(parse_snapshot_json("not json"), std::invalid_argument);
  EXPECT_THROW(parse_snapshot_json("{}"), std::invalid_argument);
  std::string text = format_snapshot_json(snapshot_of(every_field()));
  std::string other = text;
  other.replace(other.find("swarm-snapshot/1"), 16, "swarm-snapshot/9");
  try {
    parse_snapshot_json(other);
    FAIL() << "another schema was read";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("swarm-snapshot/9"), std::string::npos);
  }
  // The commands must be the plan's.
  std::string renamed = text;
  renamed.replace(renamed.find("\"name\":\"set\""), 12, "\"name\":\"del\"");
  EXPECT_THROW(parse_snapshot_json(renamed), std::invalid_argument);
}

}  // namespace
}  // namespace swarm::stats
