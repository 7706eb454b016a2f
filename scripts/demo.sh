#!/usr/bin/env bash
# The main job: build, start the demo server, and run swarm against it with
# the shipped example plan and connections already going. Ctrl-C stops both
# and prints swarm's final report. Extra arguments go to swarm.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --demo
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSWARM_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
build/durian-server --listen 127.0.0.1:8080 --interval 5 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true' EXIT
swarm_args=(--listen 127.0.0.1:8400 --http 127.0.0.1:8412 --server 127.0.0.1:8080
            --script examples/scripts/example.yml --protocol-dir examples/protocols/
            --connections 1000 --interval 2s "$@")
# Wait until the server accepts connections (no fixed sleep).
for _ in $(seq 100); do
  (exec 3<>/dev/tcp/127.0.0.1/8080) 2>/dev/null && break
  sleep 0.1
done
echo "demo: swarm console on 127.0.0.1:8400 (try: nc 127.0.0.1 8400, then 'incr 1000', 'stat', 'stop')"
echo "demo: dashboard on http://127.0.0.1:8412/ (live charts and controls; Prometheus metrics at /metrics)"
build/swarm "${swarm_args[@]}"
