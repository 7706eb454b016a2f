#include "console/telnet_filter.hpp"

namespace swarm::console {
namespace {

// Telnet command bytes (RFC 854, 855).
constexpr unsigned char iac = 255;   // interpret as command
constexpr unsigned char dont = 254;  // lowest of WILL, WONT, DO, DONT (251..254)
constexpr unsigned char will = 251;  // highest of the option commands
constexpr unsigned char sb = 250;    // subnegotiation begins
constexpr unsigned char el = 248;    // erase line
constexpr unsigned char ec = 247;    // erase character
constexpr unsigned char ip = 244;    // interrupt process: telnet's ^C
constexpr unsigned char se = 240;    // subnegotiation ends

// Ctrl-C and Ctrl-D as plain bytes (nc in raw mode, some telnet clients).
constexpr unsigned char ctrl_c = 0x03;
constexpr unsigned char ctrl_d = 0x04;

// A subnegotiation longer than this is garbage, not a real option: give up
// on it so the session can read commands again.
constexpr std::size_t max_subnegotiation = 1024;

}  // namespace

std::vector<TelnetEvent> TelnetFilter::feed(std::string_view bytes) {
  std::vector<TelnetEvent> out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    switch (state_) {
      case State::data:
        on_data(byte, out);
        break;
      case State::iac:
        on_command(byte, out);
        break;
      case State::option:
        state_ = State::data;
        break;
      case State::sb:
        if (byte == iac) state_ = State::sb_iac;
        if (++sb_length_ > max_subnegotiation) state_ = State::data;
        break;
      case State::sb_iac:
        on_sb_iac(byte);
        break;
      case State::closed:
        return out;
    }
  }
  return out;
}

void TelnetFilter::on_data(unsigned char byte, std::vector<TelnetEvent>& out) {
  if (byte == iac) {
    state_ = State::iac;
    return;
  }
  const bool continues_cr = after_cr_;
  after_cr_ = false;
  switch (byte) {
    case '\r':
      end_line(out);
      after_cr_ = true;
      return;
    case '\n':
      if (!continues_cr) end_line(out);
      return;
    case '\0':
      return;
    case '\t':
      append('\t', out);
      return;
    case ctrl_c:
    case ctrl_d:
      close(out);
      return;
    default:
      break;
  }
  if (byte < 0x20 || byte == 0x7f) return;
  append(static_cast<char>(byte), out);
}

void TelnetFilter::on_command(unsigned char byte, std::vector<TelnetEvent>& out) {
  state_ = State::data;
  if (byte == iac) {
    after_cr_ = false;
    append(static_cast<char>(iac), out);
  } else if (byte >= will && byte <= dont) {
    state_ = State::option;
  } else if (byte == sb) {
    state_ = State::sb;
    sb_length_ = 0;
  } else if (byte == ip) {
    close(out);
  } else if (byte == ec) {
    if (!line_.empty()) line_.pop_back();
  } else if (byte == el) {
    line_.clear();
  }
}

void TelnetFilter::on_sb_iac(unsigned char byte) {
  // IAC IAC is an escaped 255 inside the subnegotiation; anything but SE
  // after IAC is malformed, and skipping it is the forgiving reading.
  state_ = byte == se ? State::data : State::sb;
}

void TelnetFilter::append(char c, std::vector<TelnetEvent>& out) {
  if (discarding_) return;
  if (line_.size() >= max_line_) {
    out.push_back({TelnetEvent::Kind::line_too_long, {}});
    line_.clear();
    discarding_ = true;
    return;
  }
  line_.push_back(c);
}

void TelnetFilter::end_line(std::vector<TelnetEvent>& out) {
  if (!discarding_) out.push_back({TelnetEvent::Kind::line, std::move(line_)});
  line_.clear();
  discarding_ = false;
}

void TelnetFilter::close(std::vector<TelnetEvent>& out) {
  state_ = State::closed;
  line_.clear();
  out.push_back({TelnetEvent::Kind::close, {}});
}

}  // namespace swarm::console
