// The console's byte stream: whatever a peer sends, in whatever pieces, the
// filter yields the same events, lines stay within their limit and hold no
// line ends or control bytes, nothing follows a close, and every line the
// command grammar reads gives a message that is printable.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "console/console_command.hpp"
#include "console/telnet_filter.hpp"

namespace {

using swarm::console::TelnetEvent;
using swarm::console::TelnetFilter;

constexpr std::size_t kMaxLine = 64;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

std::vector<TelnetEvent> events_of(std::string_view bytes, std::size_t chunk) {
  TelnetFilter filter(kMaxLine);
  std::vector<TelnetEvent> all;
  for (std::size_t at = 0; at < bytes.size(); at += chunk) {
    for (auto& event : filter.feed(bytes.substr(at, chunk))) all.push_back(std::move(event));
  }
  return all;
}

bool printable(std::string_view text) {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte != '\r' && byte != '\n' && (byte < 0x20 || byte >= 0x7f)) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = data[0] % 16 + 1;  // the first byte: how the bytes arrive
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::vector<TelnetEvent> whole = events_of(bytes, bytes.size() + 1);
  const std::vector<TelnetEvent> pieces = events_of(bytes, chunk);
  check(whole.size() == pieces.size());
  bool closed = false;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    check(whole[i].kind == pieces[i].kind && whole[i].text == pieces[i].text);
    check(!closed);
    const TelnetEvent& event = whole[i];
    closed = event.kind == TelnetEvent::Kind::close;
    if (event.kind != TelnetEvent::Kind::line) continue;
    check(event.text.size() <= kMaxLine);
    for (const char c : event.text) check(c != '\r' && c != '\n' && c != '\0');
    const auto result = swarm::console::parse_console_command(event.text);
    if (const auto* error = std::get_if<swarm::console::ConsoleParseError>(&result)) {
      check(printable(error->message));
    }
  }
  return 0;
}
