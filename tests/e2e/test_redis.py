"""swarm against a real redis-server, with the shipped Redis module: redis's
own INFO is the oracle."""

import pytest

from conftest import PROTOCOLS, SCRIPTS, error_counts, wait_until


def connected_clients(redis):
    return int(redis.info("clients")["connected_clients"]) - 1  # minus our INFO connection


def commands_processed(redis):
    return int(redis.info("stats")["total_commands_processed"])


@pytest.mark.parametrize("script", ("redis.yml", "redis-ping.yml"))
def test_redis_counts_match_the_console(script, redis_server, swarm):
    path = SCRIPTS / script
    if not path.exists() or not (PROTOCOLS / "redis.lua").exists():
        pytest.fail(f"the shipped example {path} or {PROTOCOLS / 'redis.lua'} is missing")
    run = swarm(redis_server.address, path, "--interval", "500ms", "--timeout", "2s")
    with run.console() as console:
        console.greeting()
        assert connected_clients(redis_server) == 0
        assert "OK" in console.command("incr 20")
        wait_until(lambda: connected_clients(redis_server), 15, "redis to see 20 clients", check=lambda c: c == 20)
        before = commands_processed(redis_server)
        wait_until(
            lambda: commands_processed(redis_server),
            15,
            "redis to process the plan's commands",
            check=lambda t: t >= before + 40,
        )
        assert "OK" in console.command("decr 5")
        wait_until(lambda: connected_clients(redis_server), 10, "redis to see 15 clients", check=lambda c: c == 15)
        stat = console.command("stat")
    assert run.stop() == 0
    wait_until(lambda: connected_clients(redis_server), 10, "redis to see no swarm client", check=lambda c: c == 0)
    if "SET" in path.read_text():
        keyspace = redis_server.info("keyspace")
        assert keyspace.get("db0", "").startswith("keys="), f"no key was SET: {keyspace}"
    out = run.process.stdout()
    final = out[out.rfind("final") :]
    bad = {k: v for k, v in error_counts(final).items() if v and k in ("script_error", "protocol_error", "timeout")}
    assert not bad, f"errors against redis: {bad}\n{final}\nlast stat:\n{stat}"
