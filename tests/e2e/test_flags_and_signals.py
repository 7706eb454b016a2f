"""Every flag value that cannot work is refused at start with a short
message; 0 means "none" for timeouts; SIGHUP ends the run like SIGTERM; the
console's incr/decr never stall later connects."""

import re
import signal
import socket

import pytest

from conftest import PROTOCOLS, error_counts, free_port, run_to_exit, status_lines, wait_until

PLAN = "protocol: durian\nactions:\n  - command: heartbeat\n    sleep_between_rounds: 100ms\n"

def foreign_addresses():
    """Two IPv4 addresses of the documentation ranges (RFC 5737) this host
    does not have (test machines sometimes use one of them)."""
    found = []
    for candidate in ("203.0.113.7", "203.0.113.8", "198.51.100.7", "198.51.100.8", "192.0.2.77", "192.0.2.78"):
        with socket.socket() as s:
            try:
                s.bind((candidate, 0))
            except OSError:
                found.append(candidate)
    assert len(found) >= 2, "every documentation address is on this host"
    return found[:2]


FOREIGN, FOREIGN2 = foreign_addresses()

BAD_FLAGS = {
    ("--max-connecting", "0"): r"--max-connecting: expected a whole number from 1 to 1000000, got '0'",
    ("--connect-rate", "-1"): r"--connect-rate: expected a number from 0 to 1000000000, got '-1'",
    ("--connect-rate", "nan"): r"--connect-rate: expected a number .* got 'nan'",
    ("--connections", "-5"): r"--connections: expected a whole number from 0 to 10000000, got '-5'",
    ("--connections", "1e12"): r"--connections: expected a whole number .* got '1e12'",
    ("--threads", "0"): r"--threads: expected a whole number from 1 to 1024, got '0'",
    ("--sndbuf", "-1"): r"--sndbuf: expected a whole number from 0 to \d+, got '-1'",
    ("--max-sessions", "0"): r"--max-sessions: expected a whole number from 1 to 1000, got '0'",
    ("--timeout", "1e9"): r"--timeout: expected a duration like 250ms, 2s, 1m or 1\.5, at most 8760h, got '1e9'",
    ("--lua-memory-limit", "lots"): r"--lua-memory-limit: expected a size like .* got 'lots'",
    ("--source", FOREIGN): rf"--source: this host cannot send from {re.escape(FOREIGN)} \(Cannot assign requested address\): give addresses of this host",
    ("--source", f"127.0.0.1,{FOREIGN},{FOREIGN2}"): rf"--source: this host cannot send from {re.escape(FOREIGN)} .*, and 1 more of the 3",
}


@pytest.mark.parametrize("flag", list(BAD_FLAGS), ids=lambda f: f"{f[0]} {f[1]}")
def test_a_value_that_cannot_work_is_refused_with_a_short_message(flag, swarm_bin, write_file):
    plan = write_file("plan.yml", PLAN)
    run = run_to_exit(
        [swarm_bin, "-r", "127.0.0.1:1", "-s", plan, "-p", PROTOCOLS, "-l", f"127.0.0.1:{free_port()}", "--connections", 1, *flag],
        timeout=30,
    )
    assert run.status == 2, f"exit {run.status}\n{run.stderr}"
    assert re.search(BAD_FLAGS[flag], run.stderr), run.stderr
    assert max(len(line) for line in run.stderr.splitlines()) < 200, f"a long message:\n{run.stderr}"
    assert "console on" not in run.stdout


def test_zero_timeouts_mean_none(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", PLAN)
    run = swarm(server.address, plan, "--connections", 5, "--timeout", "0", "--connect-timeout", "0", "--interval", "500ms")
    server.wait_connections(5)
    before = server.stats().requests
    wait_until(server.stats, 10, "heartbeats answered", check=lambda s: s.requests >= before + 20)
    assert run.stop() == 0
    out = run.process.stdout()
    final = out[out.rfind("final report") :]
    assert not error_counts(final), f"zero timeouts failed requests:\n{final}"
    row = re.search(r"^\s*heartbeat\s+\S+\s+\S+\s+(\d+)", final, re.M)
    assert row and int(row.group(1)) >= 20, final


def test_sighup_ends_the_run_with_a_final_report(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", PLAN)
    run = swarm(server.address, plan, "--connections", 5, "--interval", "500ms")
    server.wait_connections(5)
    run.process.popen.send_signal(signal.SIGHUP)
    assert run.process.wait_exit() == 0
    out = run.process.stdout()
    assert "swarm: stopping: hangup (SIGHUP)" in out
    assert "final report" in out
    server.wait_connections(0, timeout=5)


def test_the_memory_line_with_no_connection_open_shows_totals(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", PLAN)
    run = swarm(server.address, plan, "--interval", "500ms")
    with run.console() as console:
        console.greeting()
        stat = console.command("stat")
    memory = status_lines(stat, "memory")
    assert memory, stat
    assert "per connection" not in memory[0], f"a total shown as a per-connection cost: {memory[0]}"
    assert "no connection open" in memory[0], memory[0]
    assert run.stop() == 0


def test_interval_zero_prints_no_status_blocks(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", PLAN)
    run = swarm(server.address, plan, "--connections", 2, "--interval", "0", "--duration", "1500ms", wait=False)
    assert run.process.wait_exit(timeout=15) == 0
    out = run.process.stdout()
    assert "final report" in out
    assert "swarm status" not in out, out


def test_quick_incr_decr_pairs_never_stall_later_connects(durian, swarm, write_file):
    # The pacer handed out time slots that decr never gave back: after ten
    # quick pairs, 0 of 20 new connections were open 3 s later.
    server = durian()
    plan = write_file("plan.yml", PLAN)
    run = swarm(server.address, plan, "--threads", 2, "--connect-rate", 1000, "--interval", "500ms")
    with run.console() as console:
        console.greeting()
        for _ in range(10):
            assert "OK" in console.command("incr 1000")
            assert "OK" in console.command("decr 1000")
        server.wait_connections(0, timeout=10)
        assert "OK" in console.command("incr 20")
        server.wait_connections(20, timeout=3)
    assert run.stop() == 0
