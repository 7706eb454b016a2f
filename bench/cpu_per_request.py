#!/usr/bin/env python3
"""cpu-per-request: client CPU seconds per request, PING to one redis-server
on loopback, swarm (a Lua module sending inline PING, one worker thread, no
sleeps) and redis-benchmark (-t ping_inline) taking turns in one run, at 50
and 1000 connections. Requests are counted on the server's side (INFO stats);
CPU is the client process's user + system time from getrusage (wait4)."""
import argparse
import os
import subprocess
import tempfile
import time

import benchlib as b

PLAN = """protocol: redis
actions:
  - command: PING
    rounds: 1000
    sleep_between_rounds: 0
    sleep_after_action: 0
"""


def run_measured(command, redis):
    """Runs `command` to completion; returns (cpu seconds, server requests, wall seconds)."""
    before = redis.commands()
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} exited with {process.returncode}")
    requests = redis.commands() - before - 1  # less our own INFO
    return usage.ru_utime + usage.ru_stime, requests, wall


def swarm_turn(redis, connections, seconds, plan):
    command = [b.SWARM, "--listen", f"127.0.0.1:{b.free_port()}", "--server",
               f"127.0.0.1:{redis.port}", "--script", plan, "--protocol-dir",
               f"{b.ROOT}/examples/protocols", "--threads", "1", "--connect-rate", "0",
               "--connections", str(connections), "--duration", f"{seconds}s", "--interval", "1h"]
    return run_measured(command, redis)


def redis_benchmark_turn(redis, connections, requests):
    command = ["redis-benchmark", "-p", str(redis.port), "-c", str(connections), "-n",
               str(requests), "-t", "ping_inline", "-q"]
    return run_measured(command, redis)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5, help="length of each swarm turn")
    parser.add_argument("--rounds", type=int, default=2, help="turns per tool and size")
    parser.add_argument("--connections", type=int, nargs="+", default=[50, 1000])
    args = parser.parse_args()
    redis = b.Redis(maxclients=5000)
    rows = [("connections", "tool", "requests", "req/s", "CPU s", "CPU us/request", "vs redis-benchmark")]
    try:
        with tempfile.TemporaryDirectory() as directory:
            plan = b.write_plan(directory, "ping.yml", PLAN)
            for connections in args.connections:
                ours, theirs = [], []
                for _ in range(args.rounds):
                    cpu, requests, wall = swarm_turn(redis, connections, args.seconds, plan)
                    ours.append((cpu, requests, wall))
                    # Give redis-benchmark about as many requests as swarm made.
                    theirs.append(redis_benchmark_turn(redis, connections, max(10000, requests)))
                per = {}
                for name, turns in (("swarm", ours), ("redis-benchmark", theirs)):
                    cpu = sum(t[0] for t in turns)
                    requests = sum(t[1] for t in turns)
                    wall = sum(t[2] for t in turns)
                    per[name] = cpu / requests * 1e6
                    rows.append((connections, name, requests, f"{requests / wall:.0f}", f"{cpu:.2f}",
                                 f"{per[name]:.2f}", ""))
                rows[-2] = rows[-2][:-1] + (f"{per['swarm'] / per['redis-benchmark']:.2f}x",)
                rows[-1] = rows[-1][:-1] + ("1.00x",)
    finally:
        redis.close()
    print("cpu-per-request: PING to redis-server on loopback, client CPU per request "
          "(turns alternate; lower is better)")
    b.table(rows)


if __name__ == "__main__":
    main()
