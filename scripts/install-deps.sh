#!/usr/bin/env bash
# Installs what swarm needs to build, test and demo, from Debian 12 packages
# (and, for the browser tests, playwright-core from the npm registry, pinned
# by tests/browser/package-lock.json; it drives Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(cmake g++ make pkg-config libasio-dev libyaml-cpp-dev libcli11-dev libfmt-dev
          libluajit2-5.1-dev nlohmann-json3-dev libssl-dev libhttp-parser-dev libjs-chart.js
          libgtest-dev libgmock-dev python3 python3-pytest
          python3-jsonschema python3-prometheus-client redis-server redis-tools memcached
          prometheus chromium nodejs
          netcat-openbsd openssl nginx mosquitto wrk
          # the fuzz targets (scripts/fuzz.sh): clang and its libFuzzer runtime
          clang libclang-rt-14-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
# npm: Debian's package, unless a Node.js that brings its own is installed.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
fi
# The browser tests' driver, at the version the lock file pins; never
# fetched at test time.
if [ ! -f tests/browser/node_modules/playwright-core/package.json ] ||
   [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
fi
