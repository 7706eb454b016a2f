"""A broken plan or module makes swarm exit 2 with a message that says
where, before it opens any connection."""

import re

import pytest

from conftest import PROBE_MODULE, PROTOCOLS

GOOD_ACTION = "  - command: heartbeat\n"

CASES = {
    # The original's shipped example named a command its module lacked.
    "unknown command (durian example)": (
        "protocol: durian\nactions:\n" + GOOD_ACTION + "  - command: create_chatroom\n",
        None,
        r"plan\.yml:4:14: .*unknown command 'create_chatroom'.*heartbeat",
    ),
    "unknown command": (
        "protocol: probe\nactions:\n" + GOOD_ACTION + "  - command: create_chatroom\n",
        PROBE_MODULE,
        r"plan\.yml:4:14: .*unknown command 'create_chatroom'",
    ),
    "yaml syntax error": (
        "protocol: probe\nactions:\n" + GOOD_ACTION + "    rounds: [1, 2\n    sleep_after_action: 1\n",
        PROBE_MODULE,
        r"plan\.yml:[45]:\d+: .*YAML",
    ),
    "unknown action key": (
        "protocol: probe\nactions:\n" + GOOD_ACTION + "    rouds: 2\n",
        PROBE_MODULE,
        r"plan\.yml:4:5: .*rouds",
    ),
    "unknown top-level key": (
        "protocol: probe\nactoins:\n" + GOOD_ACTION,
        PROBE_MODULE,
        r"plan\.yml:2:1: .*actoins",
    ),
    "bad range": (
        "protocol: probe\nactions:\n" + GOOD_ACTION + "    rounds: [5, 2]\n",
        PROBE_MODULE,
        r"plan\.yml:4:13: .*rounds.*\[5, 2\]",
    ),
    "negative sleep": (
        "protocol: probe\nactions:\n" + GOOD_ACTION + "    sleep_after_action: -1\n",
        PROBE_MODULE,
        r"plan\.yml:4:\d+: .*sleep_after_action.*-1",
    ),
    "lua syntax error": (
        "protocol: probe\nactions:\n" + GOOD_ACTION,
        "local M = {}\nfunction M.heartbeat(client, args)\n  client:send_noreply('x'\nend\nreturn M\n",
        r"probe\.lua:4:",
    ),
    "lua module that fails when loaded": (
        "protocol: probe\nactions:\n" + GOOD_ACTION,
        "local M = {}\nerror('module-load-marker')\nreturn M\n",
        r"probe\.lua:2:.*module-load-marker",
    ),
    "missing module": (
        "protocol: nosuchmodule\nactions:\n" + GOOD_ACTION,
        PROBE_MODULE,
        r"nosuchmodule.*not found.*nosuchmodule\.lua",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_broken_plan_exits_2_before_connecting(case, durian, swarm, write_file):
    plan_text, module_text, expected = CASES[case]
    server = durian()
    plan = write_file("plan.yml", plan_text)
    if module_text is None:
        mods = PROTOCOLS
    else:
        mods = write_file("mods/probe.lua", module_text).parent
    run = swarm(server.address, plan, "--connections", "5", protocol_dir=mods, wait=False)
    status = run.process.wait_exit(timeout=10)
    err = run.process.stderr()
    assert status == 2, f"exit status {status}, stderr:\n{err}\nstdout:\n{run.process.stdout()}"
    assert re.search(expected, err), f"stderr does not match {expected!r}:\n{err}"
    assert err.startswith("swarm: "), f"the message does not say who speaks:\n{err}"
    assert "console on" not in run.process.stdout()
    stats = server.stats()
    assert stats.accepted == 0, f"swarm connected before failing: {stats}"


def test_lua_syntax_error_names_the_line(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", "protocol: probe\nactions:\n" + GOOD_ACTION)
    mods = write_file("mods/probe.lua", "local M = {}\n\n\nM.heartbeat = function(client, args)\n  return 1 +\nend\nreturn M\n").parent
    run = swarm(server.address, plan, "--connections", "5", protocol_dir=mods, wait=False)
    assert run.process.wait_exit(timeout=10) == 2
    err = run.process.stderr()
    # LuaJIT reports the error at the token where it noticed it: line 6 ('end').
    assert re.search(r"probe\.lua:6:", err), err
    assert server.stats().accepted == 0


def test_bad_command_line_exits_2(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", "protocol: durian\nactions:\n" + GOOD_ACTION)
    run = swarm(server.address, plan, "--interval", "soon", wait=False)
    assert run.process.wait_exit(timeout=10) == 2
    assert "interval" in run.process.stderr() or "interval" in run.process.stdout()
    assert server.stats().accepted == 0
