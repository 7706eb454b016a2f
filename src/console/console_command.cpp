#include "console/console_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "console/printable.hpp"

namespace swarm::console {
namespace {

// The original's usage words; `\n` is printed literally, as it was.
constexpr std::string_view usage_text =
    "Usage:\r\n"
    "incr 1000\\n -- Start 1000 new connections\r\n"
    "decr 100\\n  -- Close 100 random connections\r\n"
    "stop\\n      -- Stop swarm benchmarker remotely\r\n"
    "quit\\n      -- Close this control session\r\n"
    "help\\n      -- Help\r\n"
    "stat\\n      -- Print the current status\r\n"
    "rate 1000\\n -- 1000 calls/s in all at fixed times (rate 0 or off: the plan's sleeps)\r\n";

constexpr std::string_view banner_text =
    "\r\n"
    "    ===============================\r\n"
    "    Welcome to Swarm Remote Console\r\n"
    "    ===============================\r\n"
    "\r\n";

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && is_blank(line[pos])) ++pos;
    std::size_t end = pos;
    while (end < line.size() && !is_blank(line[end])) ++end;
    if (end > pos) words.push_back(line.substr(pos, end - pos));
    pos = end;
  }
  return words;
}

std::string to_lower(std::string_view word) {
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return lower;
}

ConsoleParseError invalid(std::string message) {
  return ConsoleParseError{"Invalid Command: " + message, false};
}

// The rest of the line after the command word, for error messages.
std::string_view rest_after(std::string_view line, std::string_view word) {
  std::string_view rest = line.substr(word.data() + word.size() - line.data());
  while (!rest.empty() && is_blank(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && is_blank(rest.back())) rest.remove_suffix(1);
  return rest;
}

ConsoleParseResult parse_auth(const std::vector<std::string_view>& words) {
  if (words.size() < 2) return invalid("'auth' needs the token, e.g. 'auth 3f2a...'");
  if (words.size() > 2) {
    // The rest is not echoed: it may be most of a token.
    return invalid("'auth' takes one token, without spaces");
  }
  ConsoleCommand command{ConsoleCommand::Kind::auth, 0, {}, 0, std::string(words[1])};
  return command;
}

ConsoleParseResult parse_count(ConsoleCommand::Kind kind, const std::string& name,
                               std::string_view line, const std::vector<std::string_view>& words) {
  if (words.size() < 2) {
    return invalid(fmt::format("'{0}' needs a number, e.g. '{0} 100'", name));
  }
  if (words.size() > 2) {
    return invalid(fmt::format("'{}' takes one number, got extra '{}'", name,
                               printable(rest_after(line, words[1]))));
  }
  const std::string_view text = words[1];
  const bool all_digits =
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  std::uint64_t count = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (all_digits && (ec == std::errc::result_out_of_range || count > max_console_count)) {
    return invalid(fmt::format("'{}' takes at most {} at a time, got '{}'", name, max_console_count,
                               printable(text)));
  }
  if (!all_digits || ec != std::errc{} || end != text.data() + text.size() || count == 0) {
    return invalid(
        fmt::format("'{}' needs a positive whole number, got '{}'", name, printable(text)));
  }
  return ConsoleCommand{kind, count, {}, 0, {}};
}

/// `rate R` (calls per second, all connections; a number as typed) or
/// `rate off` (= 0). Only the syntax is judged here: the handler judges the
/// range, for every door alike.
ConsoleParseResult parse_rate(std::string_view line, const std::vector<std::string_view>& words) {
  if (words.size() != 2) {
    if (words.size() < 2)
      return invalid("'rate' needs calls per second, e.g. 'rate 1000', or 'off'");
    return invalid(fmt::format("'rate' takes one number, got extra '{}'",
                               printable(rest_after(line, words[1]))));
  }
  std::string_view text = words[1];
  if (to_lower(text) == "off") return ConsoleCommand{ConsoleCommand::Kind::rate, 0, {}, 0, {}};
  if (text.ends_with("/s")) text.remove_suffix(2);
  double rate = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rate);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
    return invalid(fmt::format("'rate' needs calls per second (e.g. 1000) or 'off', got '{}'",
                               printable(words[1])));
  }
  return ConsoleCommand{ConsoleCommand::Kind::rate, 0, {}, rate, {}};
}

}  // namespace

ConsoleParseResult parse_console_command(std::string_view line) {
  const std::vector<std::string_view> words = split_words(line);
  if (words.empty()) return ConsoleBlankLine{};
  const std::string name = to_lower(words[0]);
  if (name == "incr") return parse_count(ConsoleCommand::Kind::incr, name, line, words);
  if (name == "decr") return parse_count(ConsoleCommand::Kind::decr, name, line, words);
  if (name == "stat" && words.size() > 1 && to_lower(words[1]) == "html") {
    // `stat html FILE`: the HTML report of the run so far (the file name
    // may hold spaces: it is the rest of the line).
    const std::string_view file = rest_after(line, words[1]);
    if (file.empty()) return invalid("'stat html' needs a file, e.g. 'stat html run.html'");
    return ConsoleCommand{ConsoleCommand::Kind::stat_html, 0, std::string(file), 0, {}};
  }
  if (name == "rate") return parse_rate(line, words);
  if (name == "auth") return parse_auth(words);
  static constexpr std::pair<std::string_view, ConsoleCommand::Kind> bare[] = {
      {"stop", ConsoleCommand::Kind::stop},           {"quit", ConsoleCommand::Kind::quit},
      {"help", ConsoleCommand::Kind::help},           {"stat", ConsoleCommand::Kind::stat},
      {"rebalance", ConsoleCommand::Kind::rebalance},
  };
  for (const auto& [word, kind] : bare) {
    if (name != word) continue;
    if (words.size() > 1) {
      return invalid(fmt::format("'{}' takes no arguments, got '{}'", name,
                                 printable(rest_after(line, words[0]))));
    }
    return ConsoleCommand{kind, 0, {}, 0, {}};
  }
  return ConsoleParseError{fmt::format("Unknown command '{}'", printable(words[0])), true};
}

std::string_view console_usage() {
  return usage_text;
}

std::string_view console_greeting() {
  static const std::string greeting = std::string(banner_text) + std::string(usage_text);
  return greeting;
}

std::string_view console_auth_greeting() {
  static const std::string greeting =
      std::string(banner_text) + "This console needs a token: type `auth TOKEN` first.\r\n";
  return greeting;
}

}  // namespace swarm::console
