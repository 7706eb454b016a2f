"""A server that closes idle connections (redis-server's `timeout`, a proxy's
idle timeout, a broker's keepalive): swarm notices the close while the plan
sleeps, counts it `closed`, and reconnects at once, instead of finding it at
the next command, which may be minutes away, and counting that command as
failed though it never went out."""

import pytest

from conftest import load_report, wait_until

CONNECTIONS = 5
SLEEP_S = 60  # far longer than the run: only a close noticed while asleep shows


def idle_plan(tmp_path, command):
    path = tmp_path / "idle.yml"
    path.write_text(
        "protocol: redis\n"
        "actions:\n"
        f"  - command: {command}\n"
        "    rounds: 1\n"
        f"    sleep_after_action: {SLEEP_S}\n"
    )
    return path


# The built-in redis reads what a server pushes while the plan sleeps; the
# Lua module does not: each finds the close its own way.
@pytest.mark.parametrize("module, command", [("builtin", "ping"), ("lua", "PING")])
def test_a_close_while_the_plan_sleeps_is_counted_and_reconnected_at_once(
        tmp_path, redis_server, swarm, module, command):
    assert redis_server.command("CONFIG", "SET", "timeout", "1") == "OK"
    before = redis_server.commandstats().get("ping", 0)
    report_path = tmp_path / "report.json"
    extra = {"protocol_dir": None} if module == "builtin" else {}
    run = swarm(redis_server.address, idle_plan(tmp_path, command), "--connections", CONNECTIONS,
                "--interval", "1s", "--report", report_path, **extra)
    # redis closes each connection 1 to 2 s after its PING; each close is
    # followed by a new connection and a new PING. Three rounds of that for
    # every connection, well inside one 60 s sleep.
    wait_until(lambda: redis_server.commandstats().get("ping", 0) - before >= 3 * CONNECTIONS,
               30, "three PINGs per connection, each on a new connection after redis closed the last")
    assert run.stop() == 0
    report = load_report(report_path)
    closed = report["errors"]["by_reason"].get("closed", 0)
    ping = {c["name"]: c for c in report["commands"]}[command]
    pings = redis_server.commandstats().get("ping", 0) - before
    assert closed >= 2 * CONNECTIONS, report["errors"]
    # Nothing else went wrong, and no command was blamed for the close: every
    # PING went out on an open connection and was answered.
    assert {k for k, v in report["errors"]["by_reason"].items() if v} == {"closed"}, report["errors"]
    assert ping["errors"] == 0 and ping["failed"] == 0, ping
    assert ping["requests"] == ping["replies"] == pings, (ping, pings)
    # A new connection after each close (but the last few, cut by the stop).
    connects = report["totals"]["connects"]
    assert closed <= connects <= CONNECTIONS + closed, (connects, closed)
