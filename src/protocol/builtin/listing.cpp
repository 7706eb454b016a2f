// `swarm --protocols`: the built-in protocols as their tables say.
#include <fmt/format.h>

#include <iterator>

#include "protocol/builtin/registry.hpp"

namespace swarm::protocol {
namespace {

void append_args(std::string& out, const std::vector<ArgSpec>& args) {
  if (args.empty()) out += "      (no args)\n";
  for (const ArgSpec& arg : args)
    fmt::format_to(std::back_inserter(out), "      {}\n", describe(arg));
}

}  // namespace

std::string describe_protocols(std::span<const BuiltinProtocol> protocols) {
  std::string out =
      "Built-in protocols: name one in a plan's `protocol:`; no --protocol-dir needed\n"
      "(a NAME.lua or NAME.so in --protocol-dir wins). Text args take {id} (the\n"
      "connection's id), {seq} (a per-connection counter) and {rand:LO-HI}.\n";
  for (const BuiltinProtocol& entry : protocols) {
    std::unique_ptr<Module> module = entry.make();
    fmt::format_to(std::back_inserter(out), "\n{}: {}\n", entry.name, entry.protocol().summary());
    if (const CommandSpec* settings = module->on_connect_spec()) {
      out += "  on_connect: (settings for every new connection)\n";
      append_args(out, *settings->args);
    }
    out += "  commands:\n";
    for (const CommandSpec& command : module->commands().all()) {
      fmt::format_to(std::back_inserter(out), "    {}{}{}\n", command.name,
                     command.help.empty() ? "" : ": ", command.help);
      if (command.args) append_args(out, *command.args);
    }
  }
  return out;
}

}  // namespace swarm::protocol
