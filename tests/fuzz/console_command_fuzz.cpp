// The console's grammar: any line gives a command with sane values, a blank,
// or an error whose text (sent back to a terminal) is printable ASCII.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "console/console_command.hpp"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace swarm::console;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const ConsoleParseResult result = parse_console_command(line);
  if (const auto* command = std::get_if<ConsoleCommand>(&result)) {
    const bool counted =
        command->kind == ConsoleCommand::Kind::incr || command->kind == ConsoleCommand::Kind::decr;
    check(!counted || (command->count >= 1 && command->count <= max_console_count));
    check(counted || command->count == 0);
    check(command->kind == ConsoleCommand::Kind::auth || command->token.empty());
    check(command->kind != ConsoleCommand::Kind::auth || !command->token.empty());
  } else if (const auto* error = std::get_if<ConsoleParseError>(&result)) {
    check(!error->message.empty());
    for (const char c : error->message) {
      const auto byte = static_cast<unsigned char>(c);
      check(byte >= 0x20 && byte < 0x7f);
    }
  }
  return 0;
}
