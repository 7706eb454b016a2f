// swarm: many persistent TCP connections, each running a YAML plan through a
// Lua protocol module, steered live from a telnet console.
#include "app/options.hpp"
#include "app/run.hpp"
#include "engine/tls_memory.hpp"

int main(int argc, char** argv) {
  // Before anything touches OpenSSL: the memory line shows what TLS holds.
  swarm::engine::count_tls_memory();
  swarm::app::ParsedOptions parsed = swarm::app::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  return swarm::app::run(*parsed.options);
}
