#!/usr/bin/env python3
"""connect-rate: how fast new connections come up. swarm opens N connections
over several 127.0.0.x source addresses (--source) to one redis-server, once
unpaced (--connect-rate 0) and once paced; redis-benchmark's idle mode (-I)
opens the same N from one source. Time runs from the request (the console's
`incr`, or the process start) until the server's INFO counts all N clients."""
import argparse
import subprocess
import tempfile
import time

import benchlib as b

PLAN = """protocol: redis
actions:
  - command: PING
    rounds: 1
    sleep_between_rounds: 0
    sleep_after_action: 3600
"""


def time_until_all(redis, count, started, timeout=300):
    b.wait_until(lambda: redis.clients() >= count, timeout, f"{count} clients at the server")
    return time.monotonic() - started


def swarm_turn(redis, count, rate, sources, plan):
    process, port = b.start_swarm(redis.port, plan, f"{b.ROOT}/examples/protocols", "--threads",
                                  "2", "--connect-rate", str(rate), "--source", sources)
    try:
        console = b.Console(port)
        started = time.monotonic()
        console.command(f"incr {count}")
        return time_until_all(redis, count, started)
    finally:
        b.stop(process)
        b.wait_until(lambda: redis.clients() == 0, 120, "swarm's connections to close")


def redis_benchmark_turn(redis, count):
    started = time.monotonic()
    process = subprocess.Popen(["redis-benchmark", "-p", str(redis.port), "-c", str(count), "-I"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return time_until_all(redis, count, started)
    finally:
        process.kill()
        process.wait()
        b.wait_until(lambda: redis.clients() == 0, 120, "redis-benchmark's connections to close")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=15000)
    parser.add_argument("--sources", default="127.0.0.1-127.0.0.8")
    parser.add_argument("--paced-rate", type=int, default=5000)
    args = parser.parse_args()
    n = args.connections
    redis = b.Redis(maxclients=n + 1000)
    rows = [("tool", "setting", "seconds to all up", "connections/s", "bound by rate")]
    try:
        with tempfile.TemporaryDirectory() as directory:
            plan = b.write_plan(directory, "idle.yml", PLAN)
            unpaced = swarm_turn(redis, n, 0, args.sources, plan)
            rows.append(("swarm", f"--connect-rate 0 --source {args.sources}", f"{unpaced:.2f}",
                         f"{n / unpaced:.0f}", "-"))
            paced = swarm_turn(redis, n, args.paced_rate, args.sources, plan)
            rows.append(("swarm", f"--connect-rate {args.paced_rate}", f"{paced:.2f}",
                         f"{n / paced:.0f}", f"{n / args.paced_rate:.2f}s"))
        peer = redis_benchmark_turn(redis, n)
        rows.append(("redis-benchmark", "-I (one source)", f"{peer:.2f}", f"{n / peer:.0f}", "-"))
    finally:
        redis.close()
    print(f"connect-rate: {n} connections to redis-server on loopback")
    b.table(rows)


if __name__ == "__main__":
    main()
