#include "plan/yaml_value.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace swarm::plan {
namespace {

template <typename T>
void expect_resolves(std::string_view text, const T& expected) {
  const auto value = resolve_plain_scalar(text);
  ASSERT_TRUE(value.has_value()) << text;
  ASSERT_TRUE(std::holds_alternative<T>(value->data)) << text;
  EXPECT_EQ(std::get<T>(value->data), expected) << text;
}

TEST(ResolvePlainScalar, Nulls) {
  for (const char* text : {"", "~", "null", "Null", "NULL"}) {
    const auto value = resolve_plain_scalar(text);
    ASSERT_TRUE(value.has_value());
    EXPECT_TRUE(value->is_null()) << text;
  }
}

TEST(ResolvePlainScalar, BooleansIncludingTheOriginalsYesNoOnOff) {
  for (const char* text : {"true", "True", "TRUE", "yes", "Yes", "on", "ON"}) {
    expect_resolves(text, true);
  }
  for (const char* text : {"false", "False", "FALSE", "no", "NO", "off", "Off"}) {
    expect_resolves(text, false);
  }
  expect_resolves<std::string>("tRue", "tRue");
  expect_resolves<std::string>("y", "y");
}

TEST(ResolvePlainScalar, Integers) {
  expect_resolves<std::int64_t>("0", 0);
  expect_resolves<std::int64_t>("123", 123);
  expect_resolves<std::int64_t>("+5", 5);
  expect_resolves<std::int64_t>("-5", -5);
  expect_resolves<std::int64_t>("007", 7);
  expect_resolves<std::int64_t>("0x10", 16);
  expect_resolves<std::int64_t>("0o17", 15);
  expect_resolves<std::int64_t>("9223372036854775807", std::numeric_limits<std::int64_t>::max());
  expect_resolves<std::int64_t>("-9223372036854775808", std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(resolve_plain_scalar("9223372036854775808"), std::nullopt);
  EXPECT_EQ(resolve_plain_scalar("-9223372036854775809"), std::nullopt);
}

TEST(ResolvePlainScalar, Reals) {
  expect_resolves(".5", 0.5);
  expect_resolves("1.", 1.0);
  expect_resolves("-2.5", -2.5);
  expect_resolves("+2.5", 2.5);
  expect_resolves("1e3", 1000.0);
  expect_resolves("1.5E-2", 0.015);
  EXPECT_EQ(resolve_plain_scalar("1e999"), std::nullopt);
}

TEST(ResolvePlainScalar, EverythingElseIsAString) {
  for (const char* text : {"abc", "1.2.3", "0x", "0xZZ", "-0x10", "1e", "e3", "1_000", "+", "-",
                           ".", "12ab", "250ms", "1:30"}) {
    expect_resolves<std::string>(text, text);
  }
}

}  // namespace
}  // namespace swarm::plan
