// Action args: any YAML value, typed by YAML's rules, kept in file order.
#include <gtest/gtest.h>

#include <cmath>

#include "plan/plan_loader.hpp"

namespace swarm::plan {
namespace {

// The args of a one-action plan whose args are written as `args_yaml`
// (a block map indented by 6).
Map args_of(const std::string& args_yaml) {
  const Plan plan =
      parse_plan("protocol: p\nactions:\n  - command: a\n    args:\n" + args_yaml, "p.yml");
  return *plan.actions.at(0).args.as_map();
}

const Value& get(const Map& map, const std::string& key) {
  for (const auto& [name, value] : map) {
    if (name == key) return value;
  }
  throw std::out_of_range(key);
}

TEST(ArgValues, ScalarsAreTypedByYamlRules) {
  const Map args = args_of(
      "      int: 123\n"
      "      negative: -7\n"
      "      hex: 0x1F\n"
      "      real: 1.5\n"
      "      exponent: 1e3\n"
      "      yes_bool: true\n"
      "      no_bool: False\n"
      "      quoted: \"123\"\n"
      "      single: 'true'\n"
      "      tagged: !!str 5\n"
      "      text: hello world\n"
      "      tilde: ~\n"
      "      null_word: null\n"
      "      empty:\n"
      "      version: 1.2.3\n");
  EXPECT_EQ(std::get<std::int64_t>(get(args, "int").data), 123);
  EXPECT_EQ(std::get<std::int64_t>(get(args, "negative").data), -7);
  EXPECT_EQ(std::get<std::int64_t>(get(args, "hex").data), 31);
  EXPECT_DOUBLE_EQ(std::get<double>(get(args, "real").data), 1.5);
  EXPECT_DOUBLE_EQ(std::get<double>(get(args, "exponent").data), 1000.0);
  EXPECT_EQ(std::get<bool>(get(args, "yes_bool").data), true);
  EXPECT_EQ(std::get<bool>(get(args, "no_bool").data), false);
  EXPECT_EQ(std::get<std::string>(get(args, "quoted").data), "123");
  EXPECT_EQ(std::get<std::string>(get(args, "single").data), "true");
  EXPECT_EQ(std::get<std::string>(get(args, "tagged").data), "5");
  EXPECT_EQ(std::get<std::string>(get(args, "text").data), "hello world");
  EXPECT_TRUE(get(args, "tilde").is_null());
  EXPECT_TRUE(get(args, "null_word").is_null());
  EXPECT_TRUE(get(args, "empty").is_null());
  EXPECT_EQ(std::get<std::string>(get(args, "version").data), "1.2.3");
}

TEST(ArgValues, KeysKeepFileOrder) {
  const Map args = args_of("      zeta: 1\n      alpha: 2\n      mid: 3\n");
  ASSERT_EQ(args.size(), 3u);
  EXPECT_EQ(args[0].first, "zeta");
  EXPECT_EQ(args[1].first, "alpha");
  EXPECT_EQ(args[2].first, "mid");
}

TEST(ArgValues, NestedListsAndMapsAreKept) {
  const Map args = args_of(
      "      ids: [1, two, 3.0]\n"
      "      user:\n"
      "        name: ann\n"
      "        tags:\n"
      "          - a\n"
      "          - {deep: true}\n");
  const List* ids = get(args, "ids").as_list();
  ASSERT_NE(ids, nullptr);
  ASSERT_EQ(ids->size(), 3u);
  EXPECT_EQ(std::get<std::int64_t>((*ids)[0].data), 1);
  EXPECT_EQ(std::get<std::string>((*ids)[1].data), "two");
  EXPECT_DOUBLE_EQ(std::get<double>((*ids)[2].data), 3.0);

  const Map* user = get(args, "user").as_map();
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(std::get<std::string>(get(*user, "name").data), "ann");
  const List* tags = get(*user, "tags").as_list();
  ASSERT_NE(tags, nullptr);
  ASSERT_EQ(tags->size(), 2u);
  const Map* deep = (*tags)[1].as_map();
  ASSERT_NE(deep, nullptr);
  EXPECT_EQ(std::get<bool>(get(*deep, "deep").data), true);
}

TEST(ArgValues, AnchorsAndAliasesAreCopied) {
  const Plan plan = parse_plan(
      "protocol: p\nactions:\n"
      "  - command: a\n    args: &shared {uid: 1}\n"
      "  - command: b\n    args: *shared\n",
      "p.yml");
  EXPECT_EQ(std::get<std::int64_t>(get(*plan.actions[1].args.as_map(), "uid").data), 1);
}

TEST(ArgValues, SpecialFloats) {
  const Map args = args_of("      inf: .inf\n      minus: -.inf\n      nan: .nan\n");
  EXPECT_TRUE(std::isinf(std::get<double>(get(args, "inf").data)));
  EXPECT_LT(std::get<double>(get(args, "minus").data), 0.0);
  EXPECT_TRUE(std::isnan(std::get<double>(get(args, "nan").data)));
}

}  // namespace
}  // namespace swarm::plan
