// Turns the raw bytes of a telnet or nc session into command lines.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace swarm::console {

/// Something the byte stream said, in order.
struct TelnetEvent {
  enum class Kind {
    line,           // a complete line, without its line end
    line_too_long,  // a line passed the limit; it is dropped up to the next line end
    close,          // the user asked to end the session (^C as IAC IP or 0x03, ^D)
  };
  Kind kind = Kind::line;  // what happened
  std::string text;        // the line, for Kind::line; empty otherwise
};

/// Strips telnet commands (IAC IAC, 2-byte commands, WILL/WONT/DO/DONT
/// option, SB ... IAC SE), accepts LF, CRLF, CR NUL and CR LF line ends,
/// drops NULs and control bytes other than tab, and caps a line's length
/// so garbage cannot grow memory. Sequences may be split anywhere between
/// calls to feed(). After a close event the rest of the input is ignored.
class TelnetFilter {
 public:
  static constexpr std::size_t default_max_line = 1024;

  explicit TelnetFilter(std::size_t max_line = default_max_line) : max_line_(max_line) {}

  /// Consumes bytes read from the socket; returns what they completed.
  std::vector<TelnetEvent> feed(std::string_view bytes);

  /// True once a close event was returned.
  bool closed() const { return state_ == State::closed; }

 private:
  enum class State {
    data,    // ordinary text
    iac,     // after IAC: a command byte follows
    option,  // after IAC WILL/WONT/DO/DONT: an option byte follows
    sb,      // inside a subnegotiation, up to IAC SE
    sb_iac,  // after IAC inside a subnegotiation
    closed,  // the user asked to close; ignore everything
  };

  void on_data(unsigned char byte, std::vector<TelnetEvent>& out);
  void on_command(unsigned char byte, std::vector<TelnetEvent>& out);
  void on_sb_iac(unsigned char byte);
  void append(char c, std::vector<TelnetEvent>& out);
  void end_line(std::vector<TelnetEvent>& out);
  void close(std::vector<TelnetEvent>& out);

  std::size_t max_line_;       // longest line kept, in bytes
  State state_ = State::data;  // where the parser is in a telnet sequence
  std::string line_;           // the line read so far
  bool after_cr_ = false;      // a CR just ended a line: a following LF or NUL is part of it
  bool discarding_ = false;    // the line was too long: drop bytes up to the next line end
  std::size_t sb_length_ = 0;  // bytes seen in the current subnegotiation
};

}  // namespace swarm::console
