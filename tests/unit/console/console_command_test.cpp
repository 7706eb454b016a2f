#include "console/console_command.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace swarm::console {
namespace {

ConsoleCommand command_of(std::string_view line) {
  const ConsoleParseResult result = parse_console_command(line);
  EXPECT_TRUE(std::holds_alternative<ConsoleCommand>(result)) << "line: '" << line << "'";
  return std::holds_alternative<ConsoleCommand>(result) ? std::get<ConsoleCommand>(result)
                                                        : ConsoleCommand{};
}

ConsoleParseError error_of(std::string_view line) {
  const ConsoleParseResult result = parse_console_command(line);
  EXPECT_TRUE(std::holds_alternative<ConsoleParseError>(result)) << "line: '" << line << "'";
  return std::holds_alternative<ConsoleParseError>(result) ? std::get<ConsoleParseError>(result)
                                                           : ConsoleParseError{};
}

using Kind = ConsoleCommand::Kind;

TEST(ConsoleCommand, ParsesEveryCommand) {
  EXPECT_EQ(command_of("incr 1000").kind, Kind::incr);
  EXPECT_EQ(command_of("incr 1000").count, 1000u);
  EXPECT_EQ(command_of("decr 100").kind, Kind::decr);
  EXPECT_EQ(command_of("decr 100").count, 100u);
  EXPECT_EQ(command_of("stop").kind, Kind::stop);
  EXPECT_EQ(command_of("quit").kind, Kind::quit);
  EXPECT_EQ(command_of("help").kind, Kind::help);
  EXPECT_EQ(command_of("stat").kind, Kind::stat);
  EXPECT_EQ(command_of("stat").count, 0u);
  EXPECT_EQ(command_of("rebalance").kind, Kind::rebalance);
  EXPECT_EQ(command_of("REBALANCE").kind, Kind::rebalance);
  EXPECT_NE(error_of("rebalance now").message.find("takes no arguments"), std::string::npos);
}

TEST(ConsoleCommand, IsCaseInsensitiveAndIgnoresSurroundingWhitespace) {
  EXPECT_EQ(command_of("INCR 5").kind, Kind::incr);
  EXPECT_EQ(command_of("  Decr\t7  ").count, 7u);
  EXPECT_EQ(command_of("\tStOp ").kind, Kind::stop);
  EXPECT_EQ(command_of("QUIT").kind, Kind::quit);
  EXPECT_EQ(command_of("incr    0012").count, 12u);
}

TEST(ConsoleCommand, BlankLinesAreNothing) {
  for (const char* line : {"", " ", "\t", "  \t  "}) {
    EXPECT_TRUE(std::holds_alternative<ConsoleBlankLine>(parse_console_command(line)))
        << "line: '" << line << "'";
  }
}

TEST(ConsoleCommand, NegativeNumbersAreErrors) {
  EXPECT_EQ(error_of("incr -5").message,
            "Invalid Command: 'incr' needs a positive whole number, got '-5'");
  EXPECT_EQ(error_of("decr -5").message,
            "Invalid Command: 'decr' needs a positive whole number, got '-5'");
}

TEST(ConsoleCommand, BadNumbersSayWhatWasWrong) {
  for (const char* word : {"0", "abc", "1.5", "+5", "5x", "0x10", "1e3"}) {
    const ConsoleParseError error = error_of(std::string("incr ") + word);
    EXPECT_EQ(
        error.message,
        std::string("Invalid Command: 'incr' needs a positive whole number, got '") + word + "'");
    EXPECT_FALSE(error.show_usage);
  }
}

TEST(ConsoleCommand, MissingNumber) {
  EXPECT_EQ(error_of("incr").message, "Invalid Command: 'incr' needs a number, e.g. 'incr 100'");
  EXPECT_EQ(error_of(" DECR  ").message, "Invalid Command: 'decr' needs a number, e.g. 'decr 100'");
}

TEST(ConsoleCommand, ExtraWords) {
  EXPECT_EQ(error_of("incr 5 6").message,
            "Invalid Command: 'incr' takes one number, got extra '6'");
  EXPECT_EQ(error_of("decr 5 more  words ").message,
            "Invalid Command: 'decr' takes one number, got extra 'more  words'");
  EXPECT_EQ(error_of("stop now").message, "Invalid Command: 'stop' takes no arguments, got 'now'");
  EXPECT_EQ(error_of("quit 1").message, "Invalid Command: 'quit' takes no arguments, got '1'");
  EXPECT_EQ(error_of("help me").message, "Invalid Command: 'help' takes no arguments, got 'me'");
  EXPECT_EQ(error_of("stat x").message, "Invalid Command: 'stat' takes no arguments, got 'x'");
  EXPECT_EQ(error_of("stat html").message,
            "Invalid Command: 'stat html' needs a file, e.g. 'stat html run.html'");
  EXPECT_EQ(command_of("STAT Html  my run.html ").kind, Kind::stat_html);
  EXPECT_EQ(command_of("stat html  my run.html ").path, "my run.html");
}

TEST(ConsoleCommand, NumberTooLarge) {
  EXPECT_EQ(command_of("incr 10000000").count, max_console_count);
  EXPECT_EQ(error_of("incr 10000001").message,
            "Invalid Command: 'incr' takes at most 10000000 at a time, got '10000001'");
  EXPECT_EQ(error_of("decr 99999999999999999999999").message,
            "Invalid Command: 'decr' takes at most 10000000 at a time, got "
            "'99999999999999999999999'");
}

TEST(ConsoleCommand, RateTakesANumberOrOff) {
  EXPECT_EQ(command_of("rate 1000").kind, Kind::rate);
  EXPECT_EQ(command_of("rate 1000").rate, 1000.0);
  EXPECT_EQ(command_of("RATE 2.5").rate, 2.5);
  EXPECT_EQ(command_of("rate 1e4").rate, 1e4);
  EXPECT_EQ(command_of("rate 500/s").rate, 500.0);
  EXPECT_EQ(command_of("rate 0").rate, 0.0);
  EXPECT_EQ(command_of("rate off").kind, Kind::rate);
  EXPECT_EQ(command_of("rate OFF").rate, 0.0);
  // Out of range is the handler's to say (one check for every door): the
  // console passes the number on as typed.
  EXPECT_EQ(command_of("rate -5").rate, -5.0);
  EXPECT_TRUE(std::isnan(command_of("rate nan").rate));
  EXPECT_TRUE(std::isinf(command_of("rate inf").rate));
}

TEST(ConsoleCommand, RateSaysWhatIsWrong) {
  EXPECT_EQ(error_of("rate").message,
            "Invalid Command: 'rate' needs calls per second, e.g. 'rate 1000', or 'off'");
  EXPECT_EQ(error_of("rate 5 6").message,
            "Invalid Command: 'rate' takes one number, got extra '6'");
  for (const char* word : {"abc", "5x", "/s", "1,000", "0x10x"}) {
    EXPECT_EQ(error_of(std::string("rate ") + word).message,
              std::string("Invalid Command: 'rate' needs calls per second (e.g. 1000) or 'off', "
                          "got '") +
                  word + "'");
  }
}

TEST(ConsoleCommand, UnknownWordAsksForTheUsage) {
  const ConsoleParseError error = error_of("foo bar");
  EXPECT_EQ(error.message, "Unknown command 'foo'");
  EXPECT_TRUE(error.show_usage);
  EXPECT_EQ(error_of("incr5").message, "Unknown command 'incr5'");
}

TEST(ConsoleCommand, AuthTakesOneToken) {
  EXPECT_EQ(command_of("auth s3cret-s3cret-s3cret").kind, Kind::auth);
  EXPECT_EQ(command_of("AUTH s3cret-s3cret-s3cret").token, "s3cret-s3cret-s3cret");
  EXPECT_EQ(error_of("auth").message,
            "Invalid Command: 'auth' needs the token, e.g. 'auth 3f2a...'");
  // Two words may be most of a token: neither is echoed.
  EXPECT_EQ(error_of("auth s3cret s3cret").message,
            "Invalid Command: 'auth' takes one token, without spaces");
}

TEST(ConsoleCommand, EchoedWordsAreEscaped) {
  // Raw high and control bytes must not reach the operator's terminal.
  EXPECT_EQ(error_of("\xc3\x28\x80\xfe\x1b[2Jbogus").message,
            "Unknown command '\\xc3(\\x80\\xfe\\x1b[2Jbogus'");
  EXPECT_EQ(error_of("incr 5\xff").message,
            "Invalid Command: 'incr' needs a positive whole number, got '5\\xff'");
  EXPECT_EQ(error_of("stat \x7f").message,
            "Invalid Command: 'stat' takes no arguments, got '\\x7f'");
  EXPECT_EQ(error_of("rate P\x84\x11").message,
            "Invalid Command: 'rate' needs calls per second (e.g. 1000) or 'off', got "
            "'P\\x84\\x11'");
  EXPECT_EQ(error_of("rate 5 \x1b[2J").message,
            "Invalid Command: 'rate' takes one number, got extra '\\x1b[2J'");
}

TEST(ConsoleCommand, GreetingKeepsTheOriginalWords) {
  const std::string greeting(console_greeting());
  EXPECT_EQ(greeting,
            "\r\n"
            "    ===============================\r\n"
            "    Welcome to Swarm Remote Console\r\n"
            "    ===============================\r\n"
            "\r\n"
            "Usage:\r\n"
            "incr 1000\\n -- Start 1000 new connections\r\n"
            "decr 100\\n  -- Close 100 random connections\r\n"
            "stop\\n      -- Stop swarm benchmarker remotely\r\n"
            "quit\\n      -- Close this control session\r\n"
            "help\\n      -- Help\r\n"
            "stat\\n      -- Print the current status\r\n"
            "rate 1000\\n -- 1000 calls/s in all at fixed times (rate 0 or off: the plan's "
            "sleeps)\r\n");
  EXPECT_TRUE(greeting.ends_with(console_usage()));
}

}  // namespace
}  // namespace swarm::console
