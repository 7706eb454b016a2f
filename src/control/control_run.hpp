// run_control(): one `swarm control` run from parsed options to exit status,
// with the same statuses as a single swarm: 0 as asked, 2 a bad flag or a
// fleet that cannot start (agents missing, or running different plans), 1
// a report that could not be written, 99 a threshold that failed.
#pragma once

#include "control/control_options.hpp"

namespace swarm::control {

int run_control(const ControlOptions& options);

}  // namespace swarm::control
