"""Runs that need no console: --connections/--duration, the shipped
examples, and close_connection's reconnects."""

import re

import pytest

from conftest import SCRIPTS, error_counts, wait_until

DURIAN_EXAMPLES = ("example.yml", "heartbeat.yml", "chat.yml")


def plan_commands(path):
    return re.findall(r"command:\s*([A-Za-z_]\w*)", path.read_text())


@pytest.mark.parametrize("script", DURIAN_EXAMPLES)
def test_duration_run_of_a_shipped_example(durian, swarm, script):
    path = SCRIPTS / script
    if not path.exists():
        pytest.fail(f"the shipped example {path} is missing")
    server = durian()
    run = swarm(server.address, path, "--connections", "20", "--duration", "2s", "--interval", "500ms", wait=False)
    run.wait_console()
    server.wait_connections(20, timeout=10)
    assert run.process.wait_exit(timeout=10) == 0, run.process.stderr()
    server.wait_connections(0, timeout=5)

    stats = server.stats()
    assert stats.accepted >= 20, stats
    assert stats.requests > 0, f"the example sent nothing in 2s: {stats}"

    out = run.process.stdout()
    final = out[out.rfind("final") :]
    assert "final" in out, f"no final report:\n{out}"
    for command in set(plan_commands(path)):
        assert command in final, f"final report does not name {command!r}:\n{final}"
    assert "p50" in final and "p99" in final, f"final report has no percentiles:\n{final}"
    bad = {k: v for k, v in error_counts(final).items() if k in ("script_error", "protocol_error", "timeout") and v}
    assert not bad, f"the shipped example {script} fails against the demo server: {bad}\n{final}"


def test_close_connection_reconnects(durian, swarm, write_file):
    n = 10
    server = durian()
    plan = write_file(
        "plan.yml",
        """\
protocol: durian
actions:
  - command: heartbeat
    rounds: 1
    sleep_between_rounds: 50ms
    sleep_after_action: 150ms
  - command: close_connection
""",
    )
    run = swarm(server.address, plan, "--connections", n, "--interval", "500ms")
    server.wait_connections(n)

    samples = []

    def probe():
        stats = server.stats()
        samples.append(stats.connections)
        return stats

    final = wait_until(probe, 20, f"the server to accept well over {n} connections", check=lambda s: s.accepted >= 8 * n)
    assert final.closed >= 5 * n, f"old connections were not closed: {final}"
    # Each close happens at once: the server never sees old connections pile
    # up (a leaked socket per iteration would make the count climb to many n).
    assert max(samples) < 2 * n, f"connections seen by the server: {samples}"
    near_n = sum(1 for c in samples if abs(c - n) <= 1)
    assert near_n * 2 >= len(samples), f"the server mostly did not see {n} connections: {samples}"

    with run.console() as console:
        console.greeting()
        stat = console.command("stat")
    assert run.stop() == 0
    server.wait_connections(0, timeout=5)
    assert "close_connection" in run.process.stdout(), "the report does not name close_connection"
    errors = error_counts(stat)
    assert not errors.get("script_error"), f"close_connection counted as a script error:\n{stat}"
