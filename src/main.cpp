// swarm: many persistent TCP connections, each running a YAML plan through a
// protocol module, steered live from a telnet console. `swarm control`
// steers many of them (agents) as one.
#include <cstring>

#include "app/options.hpp"
#include "app/run.hpp"
#include "control/control_options.hpp"
#include "control/control_run.hpp"
#include "engine/tls_memory.hpp"

int main(int argc, char** argv) {
  // Before anything touches OpenSSL: the memory line shows what TLS holds.
  swarm::engine::count_tls_memory();
  if (argc > 1 && std::strcmp(argv[1], "control") == 0) {
    swarm::control::ParsedControlOptions parsed = swarm::control::parse_control_options(argc, argv);
    if (!parsed.options) return parsed.exit_code;
    return swarm::control::run_control(*parsed.options);
  }
  swarm::app::ParsedOptions parsed = swarm::app::parse_options(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  return swarm::app::run(*parsed.options);
}
