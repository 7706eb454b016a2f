// Any text as a plan: either a Plan whose values keep the plan's promises,
// or a PlanError with at least one message naming the file. Anything else
// thrown (a yaml-cpp exception escaping, say) is a bug: the user would get
// no place to look at.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plan/plan_fields.hpp"
#include "plan/plan_loader.hpp"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace swarm::plan;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const Plan plan = parse_plan(text, "fuzz.yml");
    check(!plan.actions.empty());
    for (const Action& action : plan.actions) {
      check(!action.command.empty());
      check(0 <= action.rounds.lo && action.rounds.lo <= action.rounds.hi &&
            action.rounds.hi <= kMaxRounds);
      for (const DurationRange& sleep : {action.sleep_between_rounds, action.sleep_after_action}) {
        check(sleep.lo.count() >= 0 && sleep.lo <= sleep.hi && sleep.hi <= kMaxSleep);
      }
      check(action.args.as_map() != nullptr);
    }
  } catch (const PlanError& error) {
    check(!error.problems().empty());
    check(std::string_view(error.what()).starts_with("fuzz.yml"));
  }
  return 0;
}
