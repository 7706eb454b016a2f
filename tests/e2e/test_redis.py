"""swarm against a real redis-server, with the shipped Redis module: redis's
own INFO is the oracle."""

import re

import pytest

from conftest import PROTOCOLS, SCRIPTS, error_counts, load_report, wait_until


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


def command_calls(redis):
    """calls per command from INFO commandstats: {"ping": 12, "set": 3, ...}."""
    calls = {}
    for key, value in redis.info("commandstats").items():
        if key.startswith("cmdstat_"):
            calls[key[len("cmdstat_"):]] = int(re.search(r"calls=(\d+)", value).group(1))
    return calls


def test_report_counts_match_redis_commandstats(redis_server, swarm, tmp_path):
    # Every request swarm counts reached redis, command by command; those the
    # stop cut short were sent too, so redis's calls are exactly swarm's
    # requests, and swarm's replies + in flight add up to them.
    before = command_calls(redis_server)
    report_path = tmp_path / "report.json"
    run = swarm(redis_server.address, SCRIPTS / "redis.yml", "--connections", 30, "--duration", "2s",
                "--interval", "500ms", "--report", report_path, wait=False)
    assert run.process.wait_exit(timeout=20) == 0, run.process.stderr()
    wait_until(lambda: connected_clients(redis_server), 10, "swarm's clients to leave", check=lambda c: c == 0)
    after = command_calls(redis_server)
    report = load_report(report_path)
    for command in report["commands"]:
        name = command["name"].lower()
        served = after.get(name, 0) - before.get(name, 0)
        assert command["requests"] == served, (command["name"], command["requests"], served)
        ends = command["replies"] + command["no_reply"] + command["failed"] + command["abandoned"] + command["in_flight"]
        assert command["requests"] == ends, command
        assert command["replies"] > 0 and command["failed"] == 0, command
    assert report["totals"]["requests"] == sum(c["requests"] for c in report["commands"])
