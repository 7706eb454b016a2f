"""A native protocol module (NAME.so built against include/swarm/) run by the
real swarm against a real redis-server: redis's own INFO and keys are the
oracle, as for the Lua module."""

from pathlib import Path

import pytest

from conftest import SCRIPTS, error_counts, wait_until


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
