#!/usr/bin/env bash
# Builds the Debian package build-package/swarm_VERSION_ARCH.deb: a Release
# build without the tests, packed by CPack, its Depends computed from the
# binaries by dpkg-shlibdeps. Install it with: apt-get install ./build-package/swarm_*.deb
# (scripts/check-deb.sh checks exactly that on a clean root).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --package
cmake -S . -B build-package -DCMAKE_BUILD_TYPE=Release -DSWARM_TESTS=OFF >/dev/null
cmake --build build-package -j"$(nproc)"
rm -f build-package/swarm_*.deb
cmake --build build-package --target package
ls build-package/swarm_*.deb
