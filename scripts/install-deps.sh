#!/usr/bin/env bash
# Installs, from Debian 12 packages, what swarm needs: every package the
# build, the demo, the tests, the .deb and the benchmarks use is named here
# (a clean Debian 12 has nothing else). Groups:
#
#   scripts/install-deps.sh              build: compiler, CMake, libraries
#   scripts/install-deps.sh --demo       + what scripts/demo.sh uses
#   scripts/install-deps.sh --tests      + what scripts/test.sh uses
#   scripts/install-deps.sh --package    + what scripts/package.sh uses (.deb)
#   scripts/install-deps.sh --bench      + the peers bench/ compares with
#   scripts/install-deps.sh --all        everything above
#   scripts/install-deps.sh --list ...   print the packages, install nothing
#
# With --tests, also from the npm registry, pinned by lock files:
# playwright-core for the browser tests (tests/browser, driving Debian's
# chromium), kubernetes-models and yaml for the offline check of deploy/k8s
# (tests/k8s).
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: libjs-chart.js is embedded in the binary (the dashboard); gzip: the
# man pages.
build=(cmake g++ make pkg-config gzip libasio-dev libyaml-cpp-dev libcli11-dev libfmt-dev
       libluajit2-5.1-dev nlohmann-json3-dev libssl-dev libhttp-parser-dev libjs-chart.js)
demo=(netcat-openbsd)  # the console, as demo.sh suggests: nc 127.0.0.1 8400
# Tests: GoogleTest and GoogleMock (unit), pytest, jsonschema (--report
# files); the real servers of the e2e suite (redis-server, memcached, nginx,
# mosquitto, prometheus with python3-prometheus-client's parser, openssl for
# certificates, python3-websockets for the WebSocket server); chromium and nodejs (+ npm, below) for the browser tests;
# clang and its libFuzzer runtime (scripts/fuzz.sh); man-db (man pages),
# bash-completion (completion), binutils (what a module links), and dpkg-dev
# + file (the .deb's Depends, computed by dpkg-shlibdeps); netcat-openbsd.
tests=(libgtest-dev libgmock-dev python3 python3-pytest python3-jsonschema
       python3-prometheus-client python3-websockets redis-server redis-tools memcached nginx mosquitto prometheus
       openssl wrk chromium nodejs clang libclang-rt-14-dev man-db bash-completion binutils
       dpkg-dev file netcat-openbsd)
package=(dpkg-dev file)  # CPack's DEB generator runs dpkg-shlibdeps and file
# Bench: redis-benchmark is in redis-tools; wrk and openssl s_time against
# nginx; memcached and mosquitto as servers; python3-websockets (the
# WebSocket idle-memory bench's peer client).
bench=(python3 redis-server redis-tools nginx wrk openssl memcached mosquitto python3-websockets)

packages=("${build[@]}")
list_only=false
with_tests=false
for group in "$@"; do
  case $group in
    --demo) packages+=("${demo[@]}") ;;
    --tests)
      packages+=("${tests[@]}")
      with_tests=true
      ;;
    --package) packages+=("${package[@]}") ;;
    --bench) packages+=("${bench[@]}") ;;
    --all)
      packages+=("${demo[@]}" "${tests[@]}" "${package[@]}" "${bench[@]}")
      with_tests=true
      ;;
    --list) list_only=true ;;
    *)
      echo "install-deps.sh: unknown group '$group' (--demo --tests --package --bench --all --list)" >&2
      exit 2
      ;;
  esac
done
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
if $list_only; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
# npm (the tests): Debian's package, unless a Node.js that brings its own is
# installed.
if $with_tests && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
# kubectl (the tests render deploy/k8s with `kubectl kustomize`): Debian's
# kubernetes-client, unless a kubectl is installed already (another
# package's /usr/bin/kubectl would clash with it).
if $with_tests && ! command -v kubectl >/dev/null 2>&1; then missing+=(kubernetes-client); fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
# The browser tests' driver, at the version the lock file pins (from the npm
# registry); never fetched at test time.
if $with_tests && { [ ! -f tests/browser/node_modules/playwright-core/package.json ] ||
   [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; }; then
  # A registry that cannot be reached (or a proxy whose CA this machine does
  # not trust) costs the browser tests only: they are skipped, saying why.
  if ! (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error); then
    echo "install-deps.sh: WARNING: playwright-core could not be fetched from the npm registry" \
         "(above): the browser tests will be skipped" >&2
  fi
fi
# The offline validation of deploy/k8s against the Kubernetes schemas, at
# the versions its lock file pins; as for the browser tests, a registry that
# cannot be reached costs those tests only (skipped, saying why).
if $with_tests && { [ ! -f tests/k8s/node_modules/kubernetes-models/package.json ] ||
   [ tests/k8s/package-lock.json -nt tests/k8s/node_modules/.package-lock.json ]; }; then
  if ! (cd tests/k8s && npm ci --no-audit --no-fund --loglevel=error); then
    echo "install-deps.sh: WARNING: kubernetes-models could not be fetched from the npm registry" \
         "(above): the deploy/k8s schema tests will be skipped" >&2
  fi
fi
