// Exact percentiles of the holds the server measured (every sample is kept:
// the server is the oracle, so it must not round).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hold {

/// "hold_us n N mean M p50 A p90 B p99 C p99.9 D max E", microseconds with
/// one decimal, nearest-rank percentiles (as swarm's reports define them).
std::string summarize_holds(std::vector<std::int64_t> holds_ns);

}  // namespace hold
