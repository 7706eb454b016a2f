#!/usr/bin/env python3
"""idle-memory: user-space bytes per idle connection, swarm (Lua plan: one
PING, then sleep) next to redis-benchmark's idle mode (-I), both holding the
same number of connections to one redis-server. Memory is RssAnon (heap and
stacks) measured at two connection counts; per connection = the difference
divided by the connections added, so fixed costs drop out."""
import argparse
import subprocess
import tempfile

import benchlib as b

PLAN = """protocol: redis
actions:
  - command: PING
    rounds: 1
    sleep_between_rounds: 0
    sleep_after_action: 3600
"""


def measure_swarm(redis, low, high, threads):
    with tempfile.TemporaryDirectory() as directory:
        plan = b.write_plan(directory, "idle.yml", PLAN)
        process, port = b.start_swarm(redis.port, plan, f"{b.ROOT}/examples/protocols",
                                      "--threads", str(threads), "--connect-rate", "5000")
        try:
            console = b.Console(port)
            samples = []
            for count in (low, high):
                console.command(f"incr {count - (samples[-1][0] if samples else 0)}")
                b.wait_until(lambda: redis.clients() >= count, 120, f"{count} swarm connections")
                b.wait_until(lambda: "acting 0" in console.stat() and "connecting 0" in console.stat(),
                             60, "every connection idle")
                stat = console.stat()
                samples.append((count, b.rss_anon_bytes(process.pid), stat))
            return samples
        finally:
            b.stop(process)
            b.wait_until(lambda: redis.clients() == 0, 60, "swarm's connections to close")


def measure_redis_benchmark(redis, low, high):
    samples = []
    for count in (low, high):
        process = subprocess.Popen(["redis-benchmark", "-p", str(redis.port), "-c", str(count), "-I"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            b.wait_until(lambda: redis.clients() >= count, 120, f"{count} redis-benchmark connections")
            samples.append((count, b.rss_anon_bytes(process.pid), ""))
        finally:
            process.kill()
            process.wait()
            b.wait_until(lambda: redis.clients() == 0, 60, "redis-benchmark's connections to close")
    return samples


def per_connection(samples):
    (low, rss_low, _), (high, rss_high, _) = samples
    return (rss_high - rss_low) / (high - low)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--connections", type=int, default=15000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    low = 1000
    redis = b.Redis(maxclients=args.connections + 1000)
    try:
        swarm = measure_swarm(redis, low, args.connections, args.threads)
        peer = measure_redis_benchmark(redis, low, args.connections)
    finally:
        redis.close()
    ours, theirs = per_connection(swarm), per_connection(peer)
    print(f"idle-memory: {args.connections} idle connections to redis-server on loopback "
          f"(RssAnon at {low} and {args.connections} connections)")
    b.table([("tool", "bytes/connection", "KiB/connection", "vs swarm"),
             ("swarm (Lua plan)", f"{ours:.0f}", f"{ours / 1024:.2f}", "1.00x"),
             ("redis-benchmark -I", f"{theirs:.0f}", f"{theirs / 1024:.2f}", f"{theirs / ours:.2f}x")])
    print("swarm's own accounting at", args.connections, "connections:")
    print("  " + b.memory_line(swarm[1][2]))


if __name__ == "__main__":
    main()
