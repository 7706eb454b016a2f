// swarm: many persistent TCP connections, each running a YAML plan through a
// Lua protocol module, steered live from a telnet console.
#include "app/options.hpp"
#include "app/run.hpp"

int main(int argc, char** argv) {
  swarm::app::ParsedOptions parsed = swarm::app::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  return swarm::app::run(*parsed.options);
}
