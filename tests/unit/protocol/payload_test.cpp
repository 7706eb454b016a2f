// Payloads of built-in commands: text, or `size` bytes made once, with a
// send stamp when asked.
#include "protocol/builtin/payload.hpp"

#include <gtest/gtest.h>

#include "core/stamp.hpp"

namespace swarm::protocol::builtin {
namespace {

plan::Value args(plan::Map map) {
  return plan::Value{std::move(map), {4, 11}};
}
plan::Value number(std::int64_t value, int column) {
  return plan::Value{value, {4, column}};
}
plan::Value text(const char* value) {
  return plan::Value{std::string(value), {4, 20}};
}

TEST(PayloadTest, TextOrSizeOrNothing) {
  auto given = args({{"value", text("v{id}")}});
  auto value = Payload::read(ArgReader("set", given), "value");
  ASSERT_TRUE(value);
  std::string out;
  value->render(out, {9, 0, nullptr});
  EXPECT_EQ(out, "v9");

  auto sized = args({{"size", number(100, 30)}});
  auto filler = Payload::read(ArgReader("set", sized), "value");
  ASSERT_TRUE(filler && filler->is_constant());
  EXPECT_EQ(filler->constant().size(), 100u);
  EXPECT_EQ(filler->constant(), filler_bytes(100));  // the same every time
  EXPECT_NE(filler->constant().find_first_not_of(filler->constant()[0]), std::string::npos);

  auto none = args({});
  EXPECT_FALSE(Payload::read(ArgReader("set", none), "value"));
}

TEST(PayloadTest, BothOrAnAbsurdSizeAreRefusedAtTheirPlace) {
  auto both = args({{"value", text("x")}, {"size", number(3, 33)}});
  try {
    Payload::read(ArgReader("set", both), "value");
    FAIL();
  } catch (const BindError& error) {
    EXPECT_STREQ(error.what(), "command 'set' arg 'size': give either 'value' or 'size', not both");
    EXPECT_EQ(error.where().column, 33);
  }
  auto huge = args({{"size", number(Payload::kMaxSize + 1, 12)}});
  EXPECT_THROW(Payload::read(ArgReader("set", huge), "value"), BindError);
  auto negative = args({{"size", number(-1, 12)}});
  EXPECT_THROW(Payload::read(ArgReader("set", negative), "value"), BindError);
}

TEST(PayloadTest, AStampComesFirstAndCountsTowardsTheSize) {
  auto sized = args({{"size", number(64, 30)}});
  auto stamped = Payload::read(ArgReader("publish", sized), "payload", true);
  ASSERT_TRUE(stamped);
  EXPECT_FALSE(stamped->is_constant());
  std::string out;
  const std::int64_t before = core::unix_now_ns();
  stamped->render(out, {});
  EXPECT_EQ(out.size(), 64u);
  const std::int64_t stamp = core::read_stamp(out);
  EXPECT_GE(stamp, before);
  EXPECT_LE(stamp, core::unix_now_ns());
  auto small = args({{"size", number(10, 30)}});
  EXPECT_THROW(Payload::read(ArgReader("publish", small), "payload", true), BindError);
  EXPECT_EQ(core::read_stamp("swarm-stamp:12345;"), 0);  // too short: no stamp
  EXPECT_EQ(core::read_stamp("hello, this is not a stamp at all"), 0);
}

}  // namespace
}  // namespace swarm::protocol::builtin
