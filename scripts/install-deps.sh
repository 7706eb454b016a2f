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
set -euo pipefail

build=(cmake g++ make pkg-config gzip libasio-dev libyaml-cpp-dev libcli11-dev libfmt-dev
       libluajit2-5.1-dev nlohmann-json3-dev)  # gzip: the man pages
demo=(netcat-openbsd)  # the console, as demo.sh suggests: nc 127.0.0.1 8400
# Tests: GoogleTest and GoogleMock (unit), pytest, jsonschema (--report
# files) and a real redis-server (e2e), man-db (man pages), bash-completion
# (completion), binutils (what a module links), and dpkg-dev + file (the
# .deb's Depends, computed by dpkg-shlibdeps).
tests=(libgtest-dev libgmock-dev python3 python3-pytest python3-jsonschema redis-server man-db
       bash-completion binutils dpkg-dev file)
package=(dpkg-dev file)  # CPack's DEB generator runs dpkg-shlibdeps and file
bench=(python3 redis-server redis-tools)  # redis-benchmark is in redis-tools

packages=("${build[@]}")
list_only=false
for group in "$@"; do
  case $group in
    --demo) packages+=("${demo[@]}") ;;
    --tests) packages+=("${tests[@]}") ;;
    --package) packages+=("${package[@]}") ;;
    --bench) packages+=("${bench[@]}") ;;
    --all) packages+=("${demo[@]}" "${tests[@]}" "${package[@]}" "${bench[@]}") ;;
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
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
