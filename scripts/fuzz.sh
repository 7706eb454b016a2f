#!/usr/bin/env bash
# Builds swarm's libFuzzer targets with clang (in build-fuzz/) and runs each
# for a bounded time: first every input that ever crashed it
# (tests/fuzz/TARGET/regressions), then new inputs grown from its corpus
# (tests/fuzz/TARGET/corpus, left untouched: new finds go to build-fuzz/).
# Usage: scripts/fuzz.sh [seconds per target, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${SWARM_FUZZ_SECONDS:-20}}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DSWARM_FUZZ=ON -DSWARM_WERROR=ON \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)"

# Extra seeds: the plan loader also starts from the shipped and broken plans.
declare -A extra_seeds=([plan_loader]="examples/scripts tests/plans/broken")

for target in telnet_filter console_command reply_parsers mqtt_codec plan_loader snapshot_json; do
  fuzzer=build-fuzz/tests/fuzz/${target}_fuzz
  dir=tests/fuzz/$target
  work=build-fuzz/work/$target
  mkdir -p "$work" build-fuzz/artifacts
  mapfile -t regressions < <(find "$dir/regressions" -type f ! -name 'README*' | sort)
  if [ ${#regressions[@]} -gt 0 ]; then
    echo "== $target: replaying ${#regressions[@]} input(s) that once crashed it"
    "$fuzzer" "${regressions[@]}" 2>&1 | tail -n 3
  fi
  echo "== $target: fuzzing for ${seconds}s"
  # shellcheck disable=SC2086  # extra_seeds holds several directories
  if ! "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/artifacts/$target-" "$work" "$dir/corpus" \
      ${extra_seeds[$target]:-} 2> "build-fuzz/$target.log"; then
    tail -n 40 "build-fuzz/$target.log"
    echo "fuzz: $target failed; the input is in build-fuzz/artifacts/ — fix the bug and keep" \
         "the input in $dir/regressions/ so that it is replayed from now on" >&2
    exit 1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "build-fuzz/$target.log" |
    tr '\n' ' '
  echo
done
