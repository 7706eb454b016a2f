#!/usr/bin/env bash
# Checks the .deb the way a user meets it, on a clean Debian 12 root:
#   ../shared/tools/fresh-debian-check 'bash scripts/check-deb.sh'
#
#  1. builds the package (scripts/package.sh);
#  2. removes every package that build installed, so that nothing but the
#     .deb's own Depends (computed by dpkg-shlibdeps) can bring the libraries;
#  3. apt-get install ./build-package/swarm_*.deb;
#  4. swarm --help, --version, `man swarm`, `man durian-server`, bash completion;
#  5. durian-server plus swarm with the installed example.yml and durian.lua:
#     the server must see every connection, and swarm must stop cleanly;
#  6. the same with native modules: the installed durian.so, and durian.cpp
#     built against the installed headers with pkg-config and with CMake;
#     a module built for another ABI version is refused with exit status 2.
#
# It installs and removes packages system-wide, so it runs only in a chroot
# (which fresh-debian-check gives it) unless given --force. Exit status 0 when
# every check passed; the first failure stops it with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ischroot 2>/dev/null && [ "${1:-}" != --force ]; then
  echo "check-deb.sh: installs swarm and removes packages system-wide; run it in a throwaway" \
    "root (fresh-debian-check), or pass --force" >&2
  exit 2
fi
[ "$(id -u)" -eq 0 ] || { echo "check-deb.sh: needs root (apt-get)" >&2; exit 2; }
export DEBIAN_FRONTEND=noninteractive
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

step() { echo "== check-deb: $*"; }
fail() {
  echo "check-deb: FAILED: $*" >&2
  exit 1
}
installed() { dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' | awk '$1 == "ii" { print $2 }' | sort; }

# Polls `$@` every 0.1 s until it succeeds; fails after $deadline seconds.
wait_for() {
  local deadline=$1 what=$2
  shift 2
  for _ in $(seq $((deadline * 10))); do
    "$@" && return 0
    sleep 0.1
  done
  fail "no $what within ${deadline}s"
}

# A TCP port nobody listens on, the kernel's pick (perl is in every Debian).
free_port() {
  perl -MIO::Socket::INET -e \
    'print IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0)->sockport'
}

# One line sent to 127.0.0.1:$1, the first reply line printed.
ask() {
  local line
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  printf '%s\r\n' "$2" >&3
  IFS= read -r -t 5 line <&3 || true
  exec 3<&-
  printf '%s\n' "${line%$'\r'}"
}

# durian-server's count of open connections, without the asking one.
server_connections() {
  local reply
  reply=$(ask "$1" stats)
  [[ $reply =~ ^\+OK\ connections\ ([0-9]+) ]] || return 1
  echo $((BASH_REMATCH[1] - 1))
}

# Whether durian-server at port $1 holds exactly $2 connections besides ours.
server_holds() { [ "$(server_connections "$1")" = "$2" ]; }

step "1. build the package"
before=$(installed)
bash scripts/package.sh
deb=$(ls build-package/swarm_*.deb)

step "2. remove what the build installed, so only the .deb's Depends count"
mapfile -t added < <(comm -13 <(echo "$before") <(installed))
if [ ${#added[@]} -gt 0 ]; then
  apt-get purge -y -q "${added[@]}" >/dev/null
  apt-get autoremove --purge -y -q >/dev/null
fi
echo "removed ${#added[@]} packages; libyaml-cpp, libluajit, libfmt left: $(installed | grep -cE '^lib(yaml-cpp|luajit|fmt)' || true)"

step "3. apt-get install ./$deb"
echo "Depends: $(dpkg-deb -f "$deb" Depends)"
apt-get install -y -q "./$deb" >/dev/null
dpkg -L swarm | grep -E '/bin/|/man1/|completions/|pkgconfig/|cmake/swarm/swarmConfig' || true
if ldd /usr/bin/swarm /usr/bin/durian-server | grep 'not found'; then fail "unresolved libraries"; fi

step "4. swarm --help, --version, man pages, completion"
swarm --help | head -n 2
version=$(swarm --version)
echo "$version"
[[ $version =~ ^swarm\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "swarm --version printed '$version'"
[ "$(durian-server --version)" = "durian-server ${version#swarm }" ] || fail "durian-server --version"
apt-get install -y -q man-db bash-completion >/dev/null
man swarm 2>/dev/null | grep -q -- '--protocol-dir' || fail "man swarm shows no --protocol-dir"
man swarm 2>/dev/null | sed -n '1p;/^EXIT STATUS/,/^FILES/p'
man durian-server 2>/dev/null | grep -q 'enter_chatroom' || fail "man durian-server"
completion=$(bash -c 'source /usr/share/bash-completion/bash_completion
  __load_completion swarm && complete -p swarm
  COMP_WORDS=(swarm --proto); COMP_CWORD=1; _swarm; echo "${COMPREPLY[*]}"')
echo "$completion"
[[ $completion == *"complete -F _swarm swarm"*"--protocol-dir"* ]] || fail "bash completion"

# Runs swarm with $connections connections on durian-server at $port, with
# the installed example.yml and protocol directory $1; stops it from the console.
run_example() {
  local protocol_dir=$1 connections=20 console
  console=$(free_port)
  swarm --listen "127.0.0.1:$console" --server "127.0.0.1:$port" \
    --script /usr/share/swarm/examples/scripts/example.yml --protocol-dir "$protocol_dir" \
    --connections "$connections" --interval 1s >"$work/swarm.out" 2>&1 &
  local swarm_pid=$!
  pids+=("$swarm_pid")
  wait_for 30 "$connections connections on durian-server (-p $protocol_dir)" \
    server_holds "$port" "$connections"
  wait_for 30 "a status block with $connections established" \
    grep -qs "established $connections " "$work/swarm.out"
  echo "durian-server's counts: $(ask "$port" stats)"
  ask "$console" stop >/dev/null
  local status=0
  wait "$swarm_pid" || status=$?
  grep -A 3 'final report' "$work/swarm.out"
  [ "$status" -eq 0 ] || fail "swarm exited $status: $(tail -n 20 "$work/swarm.out")"
  grep -q '^errors        none' "$work/swarm.out" || fail "errors: $(grep '^errors' "$work/swarm.out")"
  wait_for 10 "durian-server to see swarm's connections close" server_holds "$port" 0
}

step "5. durian-server + swarm with the installed example.yml and durian.lua"
durian-server --listen 127.0.0.1:0 --interval 0 >"$work/server.out" &
pids+=($!)
wait_for 10 "durian-server listening" grep -qs 'listening on' "$work/server.out"
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/server.out")
run_example /usr/share/swarm/examples/protocols

step "6. native modules: the installed durian.so, then built with pkg-config and with CMake"
run_example /usr/lib/swarm/modules
apt-get install -y -q pkg-config >/dev/null
mkdir -p "$work/pkg-config"
# shellcheck disable=SC2046  # pkg-config's output is meant to split into flags
c++ -std=c++20 -O2 -shared -fPIC /usr/share/swarm/examples/native/durian.cpp \
  -o "$work/pkg-config/durian.so" $(pkg-config --cflags --libs swarm)
run_example "$work/pkg-config"
cmake -S /usr/share/swarm/examples/native -B "$work/cmake" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake" >/dev/null
run_example "$work/cmake"
mkdir -p "$work/abi"
cat >"$work/abi/durian.cpp" <<'EOF'
#include <swarm/module.hpp>
extern "C" const swarm::ModuleDefinition* swarm_module() {
  static const swarm::ModuleDefinition definition{999, "9.9.9", nullptr, 0, nullptr};
  return &definition;
}
EOF
# shellcheck disable=SC2046
c++ -std=c++20 -shared -fPIC "$work/abi/durian.cpp" -o "$work/abi/durian.so" $(pkg-config --cflags swarm)
status=0
swarm --server "127.0.0.1:$port" --script /usr/share/swarm/examples/scripts/example.yml \
  --protocol-dir "$work/abi" >"$work/abi.out" 2>&1 || status=$?
cat "$work/abi.out"
if [ "$status" -ne 2 ] || ! grep -q 'module ABI version 999' "$work/abi.out"; then
  fail "a module built for ABI 999 was not refused with exit status 2"
fi
echo "== check-deb: all checks passed"
