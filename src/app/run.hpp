// run(): one swarm run from parsed options to exit status.
#pragma once

#include "app/options.hpp"

namespace swarm::app {

/// Exit statuses: 0 a run that ended as asked (`stop`, a signal,
/// --duration), even when a worker stuck in module code had to be left
/// behind (the report names it); 2 a bad plan, module, threshold or setting
/// (nothing was opened); 1 a report that could not be written; 99 a
/// threshold that failed (k6's convention).
int run(const Options& options);

}  // namespace swarm::app
