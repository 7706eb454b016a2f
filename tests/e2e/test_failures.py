"""Failures are counted and survived: a killed server, a Lua error in a
command, a server that answers junk or nothing."""

import re

import pytest

from conftest import PROBE_MODULE, error_counts, parse_count, wait_until

PROBE_PLAN = """\
protocol: probe
actions:
  - command: heartbeat
    sleep_between_rounds: 100ms
    sleep_after_action: 0
"""


def stat_of(run):
    with run.console() as console:
        console.greeting()
        return console.command("stat")


def test_killed_server_is_counted_and_survived(durian, swarm, write_file):
    n = 20
    server = durian()
    mods = write_file("mods/probe.lua", PROBE_MODULE).parent
    plan = write_file("plan.yml", PROBE_PLAN)
    run = swarm(server.address, plan, "--connections", n, "--interval", "500ms", "--timeout", "2s", protocol_dir=mods)
    server.wait_connections(n)

    server.kill()

    def failures_counted(stat):
        errors = error_counts(stat)
        return errors.get("refused", 0) > 0 and errors.get("closed", 0) + errors.get("reset", 0) > 0

    with run.console() as console:
        console.greeting()
        stat = wait_until(lambda: console.command("stat"), 15, "closed/reset and refused errors in `stat`", check=failures_counted)
        assert run.process.running(), "swarm died with its server"

        server.start()  # the same port again
        server.wait_connections(n, timeout=30)
        after = wait_until(
            lambda: console.command("stat"),
            10,
            f"`stat` to show {n} open again",
            check=lambda s: re.search(rf"\bopen\s+{n}\b", s),
        )
    assert "connections" in after
    before = server.stats().requests
    wait_until(server.stats, 10, "heartbeats on the new server", check=lambda s: s.requests >= before + n)
    assert run.stop() == 0
    out = run.process.stdout()
    final = out[out.rfind("final") :]
    errors = error_counts(final)
    assert errors.get("refused", 0) > 0, f"the final report lost the refused connects:\n{final}"


def test_lua_error_is_counted_with_message_and_command(durian, swarm, write_file):
    n = 5
    server = durian()
    mods = write_file("mods/probe.lua", PROBE_MODULE).parent
    plan = write_file(
        "plan.yml",
        """\
protocol: probe
actions:
  - command: heartbeat
    rounds: 2
    sleep_between_rounds: 50ms
    sleep_after_action: 0
  - command: explode
""",
    )
    run = swarm(server.address, plan, "--connections", n, "--interval", "500ms", protocol_dir=mods)
    server.wait_connections(n)

    def reported(stat):
        return error_counts(stat).get("script_error", 0) >= 2 * n and "kaboom-marker" in stat and "explode" in stat

    with run.console() as console:
        console.greeting()
        wait_until(lambda: console.command("stat"), 15, "the Lua error, its message and command in `stat`", check=reported)
        # The other command keeps working in the same run: heartbeats go on.
        before = server.stats()
        wait_until(server.stats, 10, "heartbeats after the errors", check=lambda s: s.requests >= before.requests + 4 * n)
        assert run.process.running()
        # The slots stay honest: never more than n connections, and they come
        # back (a `stats` connection of ours may take a moment to be closed).
        stats = wait_until(server.stats, 5, f"at most {n} connections", check=lambda s: s.connections <= n)
        assert stats.accepted == n, stats
        assert re.search(rf"\btarget\s+{n}\b", console.command("stat"))
    assert run.stop() == 0
    out = run.process.stdout()
    final = out[out.rfind("final") :]
    assert "kaboom-marker" in final and "explode" in final, f"final report:\n{final}"
    row = re.search(r"^\s*heartbeat\s+(\S+)\s+(\S+)\s+(\S+)", final, re.M)
    assert row and parse_count(row.group(3)) and parse_count(row.group(3)) > 0, f"no heartbeat replies:\n{final}"


JUNK_MODULE = r"""
local swarm = require("swarm")
return {
  line = function(client, args)
    client:send_for_reply("line\r\n", swarm.reply_parser_crlf())
  end,
  frame = function(client, args)
    client:send_for_reply("frame\r\n", swarm.reply_parser_prefixed{bytes = 4, endian = "big"})
  end,
}
"""

JUNK_CASES = {
    "never replies": (lambda data: None, "line", "timeout"),
    "no line end": (lambda data: b"\x00\xfe\xffjunk without a line end", "line", "timeout"),
    "absurd frame length": (lambda data: b"\xff" * 16, "frame", "protocol_error"),
    "hangs up": (lambda data: "close", "line", "closed"),
}


@pytest.mark.parametrize("case", list(JUNK_CASES))
def test_junk_server_is_counted_and_survived(case, scripted_server, swarm, write_file):
    reply, command, reason = JUNK_CASES[case]
    n = 5
    server = scripted_server(reply)
    mods = write_file("mods/junk.lua", JUNK_MODULE).parent
    plan = write_file(
        "plan.yml",
        f"protocol: junk\nactions:\n  - command: {command}\n    sleep_between_rounds: 50ms\n    sleep_after_action: 0\n",
    )
    run = swarm(server.address, plan, "--connections", n, "--interval", "500ms", "--timeout", "500ms", protocol_dir=mods)
    with run.console() as console:
        console.greeting()
        stat = wait_until(
            lambda: console.command("stat"),
            15,
            f"{reason} errors in `stat`",
            check=lambda s: error_counts(s).get(reason, 0) >= n,
        )
        # Each failure ends the iteration and the connection starts again.
        wait_until(lambda: server.accepted, 10, f"reconnects to the {case} server", check=lambda a: a >= 2 * n)
        assert run.process.running()
        assert "connections" in console.command("stat")
    assert run.stop() == 0, run.process.stderr()
    assert reason in run.process.stdout()[run.process.stdout().rfind("final") :], stat


def test_after_a_script_error_the_plan_goes_on(durian, swarm, write_file):
    # The first action always raises; the second must still run, on the same
    # connections (it used to start the plan again, so it never ran).
    n = 4
    server = durian()
    mods = write_file("mods/probe.lua", PROBE_MODULE).parent
    plan = write_file(
        "plan.yml",
        """\
protocol: probe
actions:
  - command: explode
    sleep_after_action: 0
  - command: heartbeat
    sleep_between_rounds: 0
    sleep_after_action: 100ms
""",
    )
    run = swarm(server.address, plan, "--connections", n, "--interval", "500ms", protocol_dir=mods)
    server.wait_connections(n)
    stats = wait_until(server.stats, 15, "heartbeats after the errors", check=lambda s: s.requests >= 3 * n)
    assert stats.accepted == n, f"the connections were replaced after script errors: {stats}"
    with run.console() as console:
        console.greeting()
        stat = wait_until(
            lambda: console.command("stat"), 10, "script errors", check=lambda s: error_counts(s).get("script_error", 0) >= n
        )
    assert "kaboom-marker" in stat
    assert run.stop() == 0
    final = run.process.stdout()[run.process.stdout().rfind("final") :]
    row = re.search(r"^\s*heartbeat\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)", final, re.M)
    assert row and parse_count(row.group(3)) >= 3 * n and row.group(4) == "0", final


RAISING_PARSER_MODULE = r"""
local M = {}
function M.heartbeat(client, args)
  client:send_for_reply("heartbeat\r\n", function(chunk)
    if chunk then error("parser-raised-marker") end
    return 1
  end)
end
return M
"""


def test_a_raising_parser_is_counted_once(durian, swarm, write_file):
    # A Lua parser function that raises is the script's fault: one
    # script_error with one message, not also a protocol_error.
    n = 3
    server = durian()
    mods = write_file("mods/raising.lua", RAISING_PARSER_MODULE).parent
    plan = write_file(
        "plan.yml",
        "protocol: raising\nactions:\n  - command: heartbeat\n    sleep_between_rounds: 50ms\n    sleep_after_action: 0\n",
    )
    run = swarm(server.address, plan, "--connections", n, "--interval", "500ms", protocol_dir=mods)
    with run.console() as console:
        console.greeting()
        stat = wait_until(
            lambda: console.command("stat"), 15, "script errors", check=lambda s: error_counts(s).get("script_error", 0) >= 2 * n
        )
    assert "protocol_error" not in stat, stat
    assert run.stop() == 0
    final = run.process.stdout()[run.process.stdout().rfind("final") :]
    errors = error_counts(final)
    assert errors.get("script_error", 0) >= 2 * n and not errors.get("protocol_error"), final
    assert re.search(r"^script errors\s+1 distinct", final, re.M), final
    assert "parser-raised-marker" in final and "protocol error" not in final, final
