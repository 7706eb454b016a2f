#!/usr/bin/env bash
# The whole test suite: unit tests and end-to-end tests against real servers,
# once in a normal build and once under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tests
jobs=$(nproc)
cmake -S . -B build -DSWARM_WERROR=ON -DSWARM_TESTS=ON >/dev/null
cmake --build build -j"$jobs"
cmake -S . -B build-asan -DSWARM_WERROR=ON -DSWARM_TESTS=ON -DSWARM_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-asan -j"$jobs"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer"
(cd build-asan && ctest --output-on-failure)
echo "== tests"
(cd build && ctest --output-on-failure)
