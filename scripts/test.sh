#!/usr/bin/env bash
# The whole test suite: unit and end-to-end tests against real servers under
# AddressSanitizer + UBSan, the same under ThreadSanitizer (the e2e tests
# marked `bounds`, which hold time or memory to a limit TSan's slowdown
# breaks, are skipped there), each fuzz target for a bounded time
# (SWARM_FUZZ_SECONDS, default 20), and last every test in a normal build:
# ctest's summary ends the output.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
jobs=$(nproc)
cmake -S . -B build -DSWARM_WERROR=ON -DSWARM_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
cmake -S . -B build-asan -DSWARM_WERROR=ON -DSWARM_TESTS=ON -DSWARM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
cmake -S . -B build-tsan -DSWARM_WERROR=ON -DSWARM_TESTS=ON -DSWARM_TSAN=ON >/dev/null
cmake --build build-tsan -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer"
(cd build-asan && ctest --output-on-failure)
echo "== tests under ThreadSanitizer"
# No suppressions: swarm's own code must be clean (see DESIGN.md).
(cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ctest --output-on-failure)
echo "== fuzzing"
scripts/fuzz.sh "${SWARM_FUZZ_SECONDS:-20}"
echo "== tests"
(cd build && ctest --output-on-failure)
