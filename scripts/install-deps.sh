#!/usr/bin/env bash
# Installs what swarm needs to build, test and demo, from Debian 12 packages.
set -euo pipefail
packages=(cmake g++ make pkg-config libasio-dev libyaml-cpp-dev libcli11-dev libfmt-dev
          libluajit2-5.1-dev nlohmann-json3-dev libssl-dev libgtest-dev libgmock-dev python3
          python3-pytest python3-jsonschema redis-server redis-tools netcat-openbsd openssl nginx
          mosquitto wrk)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing[@]}"
fi
