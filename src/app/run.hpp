// run(): one swarm run from parsed options to exit status.
#pragma once

#include "app/options.hpp"

namespace swarm::app {

/// Exit statuses: 0 a run that ended as asked, 2 a bad plan, module or
/// setting (nothing was opened), 1 a failure while running.
int run(const Options& options);

}  // namespace swarm::app
