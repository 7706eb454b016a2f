// The one check of plan actions against a module's commands, with the words
// every kind of module uses.
#include "protocol/command_table.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "problem_text.hpp"

namespace swarm::protocol {
namespace {

plan::Action action(std::string command, plan::Map args = {}) {
  plan::Action made;
  made.command = std::move(command);
  made.args.data = std::move(args);
  return made;
}

plan::Value text(const char* value) {
  return plan::Value{std::string(value)};
}
plan::Value integer(std::int64_t value) {
  return plan::Value{value};
}

CommandTable table() {
  return CommandTable({
      {"set", std::vector<ArgSpec>{{"key", ArgType::text, true},
                                   {"ex", ArgType::integer, false},
                                   {"tags", ArgType::list, false}}},
      {"ping", std::vector<ArgSpec>{}},
      {"anything", std::nullopt},
  });
}

TEST(CommandTableTest, NamesAreSorted) {
  EXPECT_EQ(table().names(), (std::vector<std::string>{"anything", "ping", "set"}));
  EXPECT_EQ(table().find("ping")->name, "ping");
  EXPECT_EQ(table().find("pong"), nullptr);
}

TEST(CommandTableTest, UnknownCommandListsTheCommands) {
  EXPECT_EQ(message_of(table().check("redis", action("get"))),
            "unknown command 'get' (module redis has: anything, ping, set)");
}

TEST(CommandTableTest, ArgsNotTakenListTheOnesTaken) {
  EXPECT_EQ(message_of(table().check("redis",
                                     action("set", {{"key", text("k")}, {"colour", text("red")}}))),
            "command 'set' does not take arg 'colour' (takes: key, ex, tags)");
  EXPECT_EQ(message_of(table().check("redis", action("ping", {{"key", text("k")}}))),
            "command 'ping' does not take arg 'key' (takes: no args)");
  EXPECT_EQ(message_of(table().check("redis", action("anything", {{"whatever", text("x")}}))),
            std::nullopt);
}

TEST(CommandTableTest, ArgsMustBeAMap) {
  plan::Action scalar = action("anything");
  scalar.args.data = std::int64_t{5};
  EXPECT_EQ(message_of(table().check("m", scalar)),
            "args of command 'anything' must be a mapping of names to values");
  plan::Action none = action("ping");
  none.args.data = std::monostate{};
  EXPECT_EQ(message_of(table().check("m", none)), std::nullopt);
}

TEST(CommandTableTest, TypedArgsAreChecked) {
  EXPECT_EQ(
      message_of(table().check("m", action("set", {{"key", integer(7)}, {"ex", integer(10)}}))),
      std::nullopt);  // a number is fine as text
  EXPECT_EQ(
      message_of(table().check("m", action("set", {{"key", text("k")}, {"ex", text("soon")}}))),
      "command 'set' arg 'ex': expected a whole number, got 'soon'");
  EXPECT_EQ(message_of(table().check("m", action("set", {{"key", plan::Value{plan::List{}}}}))),
            "command 'set' arg 'key': expected text, got a list");
  EXPECT_EQ(
      message_of(table().check("m", action("set", {{"key", text("k")}, {"tags", text("a")}}))),
      "command 'set' arg 'tags': expected a list, got 'a'");
}

TEST(CommandTableTest, RequiredArgsMustBeGiven) {
  EXPECT_EQ(message_of(table().check("m", action("set", {{"ex", integer(1)}}))),
            "command 'set' needs arg 'key' (text)");
  EXPECT_EQ(message_of(table().check("m", action("set"))), "command 'set' needs arg 'key' (text)");
}

TEST(CommandTableTest, TwoCommandsOfOneNameAreRefused) {
  EXPECT_THROW(CommandTable({{"a", std::nullopt}, {"a", std::nullopt}}), std::invalid_argument);
}

}  // namespace
}  // namespace swarm::protocol
