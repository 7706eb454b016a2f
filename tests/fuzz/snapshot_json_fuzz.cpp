// An agent's snapshot as a controller reads it (from the network): any bytes
// give a snapshot or std::invalid_argument, never a crash; a snapshot read
// is written back the same (nothing lost or invented), and merges.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "stats/snapshot_json.hpp"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace swarm::stats;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  RunSnapshot snapshot;
  try {
    snapshot = parse_snapshot_json(text);
  } catch (const std::invalid_argument&) {
    return 0;
  }
  const std::string written = format_snapshot_json(snapshot);
  const RunSnapshot again = parse_snapshot_json(written);
  check(format_snapshot_json(again) == written);
  Recorder fleet;
  fleet.merge(snapshot.totals);
  fleet.merge(again.totals);
  check(fleet.requests == 2 * snapshot.totals.requests || snapshot.totals.requests > (1ull << 62));
  return 0;
}
