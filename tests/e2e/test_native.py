"""A native protocol module (NAME.so built against include/swarm/) run by the
real swarm against a real redis-server: redis's own INFO and keys are the
oracle, as for the Lua module."""

import re
from pathlib import Path

import pytest

from conftest import PROTOCOLS, SCRIPTS, error_counts, wait_until


@pytest.fixture(scope="session")
def native_modules(swarm_bin):
    directory = Path(swarm_bin).parent / "modules"
    if not (directory / "redis_native.so").is_file():
        pytest.fail(f"no {directory / 'redis_native.so'}: build the project first")
    return directory


def redis_clients(redis):
    return int(redis.info("clients")["connected_clients"]) - 1  # minus our INFO connection


def test_native_module_runs_its_plan_against_redis(redis_server, swarm, native_modules):
    run = swarm(redis_server.address, SCRIPTS / "redis-native.yml", "--interval", "500ms",
                protocol_dir=native_modules)
    with run.console() as console:
        console.greeting()
        assert "OK" in console.command("incr 12")
        wait_until(lambda: redis_clients(redis_server), 15, "redis to see 12 clients", check=lambda c: c == 12)
        wait_until(lambda: redis_server.info("keyspace").get("db0", ""), 15, "the native SET to land",
                   check=lambda db: db.startswith("keys=2"))
    assert run.stop() == 0
    wait_until(lambda: redis_clients(redis_server), 10, "redis to see no swarm client", check=lambda c: c == 0)
    out = run.process.stdout()
    final = out[out.rfind("final"):]
    for command in ("SET", "GET", "INCR", "PING"):
        assert command in final, final
    bad = {k: v for k, v in error_counts(final).items() if v}
    assert not bad, f"errors from the native module: {bad}\n{final}"


def test_native_module_checks_plans_at_load(tmp_path, redis_server, swarm, native_modules):
    plan = tmp_path / "plan.yml"
    plan.write_text("protocol: redis_native\nactions:\n  - command: HGET\n"
                    "  - command: SET\n    args: {key: a, colour: red}\n")
    run = swarm(redis_server.address, plan, protocol_dir=native_modules, wait=False)
    assert run.process.wait_exit(timeout=10) == 2
    err = run.process.stderr()
    assert "plan.yml:3:14: unknown command 'HGET' (module redis_native has: GET, INCR, PING, SET, close_connection)" in err, err
    assert "command 'SET' does not take arg 'colour' (takes: key, value)" in err, err
    assert redis_clients(redis_server) == 0


def test_native_durian_runs_the_example_plan_against_durian_server(durian, swarm, native_modules):
    """build/modules/durian.so with examples/scripts/example.yml: the server's
    own counts show every connection and its heartbeats."""
    n = 25
    server = durian()
    run = swarm(server.address, SCRIPTS / "example.yml", "--connections", n, "--interval", "500ms",
                protocol_dir=native_modules)
    assert "protocol durian" in run.process.stdout()
    server.wait_connections(n)
    wait_until(server.stats, 15, f"{2 * n} requests on durian-server", check=lambda s: s.requests >= 2 * n)
    assert run.stop() == 0
    server.wait_connections(0)
    out = run.process.stdout()
    final = out[out.rfind("final report"):]
    assert not {k: v for k, v in error_counts(final).items() if v}, final
    heartbeats = re.search(r"^\s+heartbeat\s+(\d+)", final, re.M)
    assert heartbeats and int(heartbeats.group(1)) >= 2 * n, final


EVERY_DURIAN_COMMAND = """\
protocol: durian
actions:
  - command: login
    args: {uid: ann}
    sleep_after_action: 10ms
  - command: whoami
    sleep_after_action: 10ms
  - command: enter_chatroom
    args: {rid: 3}
    sleep_after_action: 10ms
  - command: send_message
    args: {text: hello there}
    rounds: 2
    sleep_between_rounds: 10ms
    sleep_after_action: 10ms
  - command: leave_chatroom
    sleep_after_action: 10ms
  - command: heartbeat
    sleep_after_action: 10ms
  - command: close_connection
"""


@pytest.mark.parametrize("kind", ["lua", "native"])
def test_durian_modules_run_every_command_cleanly(kind, durian, swarm, native_modules, write_file):
    """Both durian modules, Lua and native, through every command and many
    reconnects: each new connection logs in again and its whoami finds the
    token, and every reply is as expected."""
    n = 10
    server = durian()
    plan = write_file("plan.yml", EVERY_DURIAN_COMMAND)
    run = swarm(server.address, plan, "--connections", n, "--interval", "500ms",
                protocol_dir=native_modules if kind == "native" else PROTOCOLS)
    wait_until(server.stats, 20, "three connects per connection", check=lambda s: s.accepted >= 3 * n)
    assert run.stop() == 0
    out = run.process.stdout()
    final = out[out.rfind("final report"):]
    assert not {k: v for k, v in error_counts(final).items() if v}, final
    for command in ("login", "whoami", "enter_chatroom", "send_message", "leave_chatroom", "heartbeat"):
        row = re.search(rf"^\s+{command}\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", final, re.M)
        assert row and int(row.group(3)) >= 2 * n and row.group(4) == "0", f"{command}:\n{final}"
