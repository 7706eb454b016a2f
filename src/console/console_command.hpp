// The console's command grammar: one line of text in, one command out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace swarm::console {

/// One command typed at the console.
struct ConsoleCommand {
  enum class Kind { incr, decr, stop, quit, help, stat, stat_html, rate, auth, rebalance };
  Kind kind = Kind::help;   // what to do
  std::uint64_t count = 0;  // connections to open or close (incr/decr); 0 otherwise
  std::string path;         // stat html FILE: where to write the report
  double rate = 0;          // rate: calls per second as typed (0: off); its range is the
                            // handler's to judge (ConsoleHandler::set_rate)
  std::string token;        // what `auth` offered; empty otherwise
};

/// Why a line is not a command; the text is sent back to the user as is.
struct ConsoleParseError {
  std::string message;      // e.g. "Invalid Command: 'incr' needs a number, ..."
  bool show_usage = false;  // the word was unknown: the usage should follow
};

/// A blank or whitespace-only line (telnet's bare CRLF): nothing to do.
struct ConsoleBlankLine {};

using ConsoleParseResult = std::variant<ConsoleBlankLine, ConsoleCommand, ConsoleParseError>;

/// The largest N `incr N` or `decr N` accepts: a typo should not open a
/// billion connections.
inline constexpr std::uint64_t max_console_count = 10'000'000;

/// Parses one line (without its line end). Command words are
/// case-insensitive; spaces and tabs around words are ignored. Words of the
/// line echoed in messages are escaped (see printable()).
ConsoleParseResult parse_console_command(std::string_view line);

/// The usage list, worded as the original's, each line ending in "\r\n".
std::string_view console_usage();

/// The greeting sent on connect (banner, then usage), lines ending in "\r\n".
std::string_view console_greeting();

/// The greeting of a console that needs a token: banner, then how to give it.
std::string_view console_auth_greeting();

}  // namespace swarm::console
