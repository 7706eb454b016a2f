#include "console/telnet_filter.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace swarm::console {
namespace {

// Events as one string, e.g. "line:incr 5|too_long|close", for readable diffs.
std::string describe(const std::vector<TelnetEvent>& events) {
  std::string out;
  for (const TelnetEvent& event : events) {
    if (!out.empty()) out += '|';
    switch (event.kind) {
      case TelnetEvent::Kind::line:
        out += "line:" + event.text;
        break;
      case TelnetEvent::Kind::line_too_long:
        out += "too_long";
        break;
      case TelnetEvent::Kind::close:
        out += "close";
        break;
    }
  }
  return out;
}

std::string feed_in_chunks(std::string_view input, std::size_t chunk,
                           std::size_t max_line = TelnetFilter::default_max_line) {
  TelnetFilter filter(max_line);
  std::vector<TelnetEvent> all;
  for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
    for (TelnetEvent& event : filter.feed(input.substr(pos, chunk))) all.push_back(event);
  }
  return describe(all);
}

std::string feed_all(std::string_view input) {
  return feed_in_chunks(input, input.size() + 1);
}

// Telnet bytes, as a client would send them.
const std::string iac = "\xff";
const std::string will_echo = "\xff\xfb\x01";
const std::string do_suppress_go_ahead = "\xff\xfd\x03";
const std::string wont_linemode = "\xff\xfc\x22";
const std::string dont_x = "\xff\xfe\x18";
const std::string window_size = std::string("\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0", 9);
const std::string no_op = "\xff\xf1";
const std::string interrupt = "\xff\xf4";

TEST(TelnetFilter, AcceptsEveryLineEnd) {
  EXPECT_EQ(feed_all("a\nb\r\nc\rd"), "line:a|line:b|line:c");
  EXPECT_EQ(feed_all(std::string("a\r\0b\r\n", 6)), "line:a|line:b");
  EXPECT_EQ(feed_all("\r\n\r\n"), "line:|line:");
  EXPECT_EQ(feed_all("\n\n"), "line:|line:");
  EXPECT_EQ(feed_all("\r\r"), "line:|line:");
  EXPECT_EQ(feed_all("a\n\r\nb\n"), "line:a|line:|line:b");
}

TEST(TelnetFilter, StripsOptionNegotiation) {
  EXPECT_EQ(
      feed_all(will_echo + do_suppress_go_ahead + "incr" + wont_linemode + " 5" + dont_x + "\r\n"),
      "line:incr 5");
  EXPECT_EQ(feed_all(no_op + "help\r\n"), "line:help");
}

TEST(TelnetFilter, DoubledIacIsALiteral255) {
  EXPECT_EQ(feed_all("a" + iac + iac + "b\n"),
            "line:a\xff"
            "b");
}

TEST(TelnetFilter, SkipsSubnegotiation) {
  EXPECT_EQ(feed_all("st" + window_size + "at\r\n"), "line:stat");
  // An escaped 255 inside the subnegotiation does not end it.
  EXPECT_EQ(feed_all("\xff\xfa\x18\xff\xff\x01\xff\xf0ok\n"), "line:ok");
}

TEST(TelnetFilter, GivesUpOnEndlessSubnegotiation) {
  const std::string garbage = "\xff\xfa" + std::string(2000, 'x') + "\nstat\n";
  EXPECT_EQ(feed_all(garbage), "line:" + std::string(2000 - 1024 - 1, 'x') + "|line:stat");
}

TEST(TelnetFilter, DropsControlBytesButKeepsTabs) {
  EXPECT_EQ(feed_all(std::string("in\0cr\x01\x1b\x7f\t5\n", 11)), "line:incr\t5");
}

TEST(TelnetFilter, EraseCommandsEditTheLine) {
  EXPECT_EQ(feed_all("incx\xff\xf7r 5\n"), "line:incr 5");
  EXPECT_EQ(feed_all("garbage\xff\xf8stat\n"), "line:stat");
}

TEST(TelnetFilter, InterruptOrCtrlDClosesAndIgnoresTheRest) {
  EXPECT_EQ(feed_all("incr 5\nincr" + interrupt + "\nstop\n"), "line:incr 5|close");
  EXPECT_EQ(feed_all("\x04stop\n"), "close");
  EXPECT_EQ(feed_all("ab\x03\n"), "close");
  TelnetFilter filter;
  EXPECT_EQ(describe(filter.feed("\x04")), "close");
  EXPECT_TRUE(filter.closed());
  EXPECT_EQ(describe(filter.feed("stop\n")), "");
}

TEST(TelnetFilter, CapsLongLinesOnce) {
  EXPECT_EQ(feed_in_chunks("abcd\nabcdef\nxy\n", 100, 4), "line:abcd|too_long|line:xy");
  const std::string huge(100'000, 'z');
  EXPECT_EQ(feed_in_chunks(huge + "\r\nstat\r\n", 4096), "too_long|line:stat");
  EXPECT_EQ(feed_in_chunks(huge + "\r\nstat\r\n", 1), "too_long|line:stat");
}

// Every byte of telnet framing, fed split at every position and in every
// chunk size, must give the same events as the whole input at once.
TEST(TelnetFilter, SplitsAnywhereGiveTheSameLines) {
  const std::string input = will_echo + "incr 10\r\n" + do_suppress_go_ahead + window_size + "de" +
                            iac + iac + "cr 1\r" + std::string("\0", 1) + "\n\r\n" + wont_linemode +
                            "stat\nhelp\r" + dont_x + "\nquit" + interrupt + "stop\n";
  const std::string expected =
      "line:incr 10|line:de\xff"
      "cr 1|line:|line:|line:stat|line:help|close";
  ASSERT_EQ(feed_all(input), expected);
  for (std::size_t split = 0; split <= input.size(); ++split) {
    TelnetFilter filter;
    std::vector<TelnetEvent> events = filter.feed(std::string_view(input).substr(0, split));
    for (TelnetEvent& event : filter.feed(std::string_view(input).substr(split))) {
      events.push_back(event);
    }
    EXPECT_EQ(describe(events), expected) << "split at " << split;
  }
  for (std::size_t chunk = 1; chunk <= input.size(); ++chunk) {
    EXPECT_EQ(feed_in_chunks(input, chunk), expected) << "chunks of " << chunk;
  }
}

}  // namespace
}  // namespace swarm::console
