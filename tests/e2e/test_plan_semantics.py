"""The plan runs as the original ran it, checked line by line on a server
that records what each connection sent, and the Lua client API works end to
end (reply values, parsers, sleep)."""

import collections
import re
import signal

import pytest

from conftest import error_counts, wait_until

SAY_MODULE = r"""
local swarm = require("swarm")
local M = {}
function M.say(client, args)
  local reply = client:send_for_reply(args.word .. " " .. client.id .. "\r\n", swarm.reply_parser_crlf())
  if reply ~= "+OK\r\n" then error("unexpected reply " .. reply) end
end
function M.close_connection(client, args)
  client:close_connection()
end
return M
"""


def finished_iterations(server):
    """Line lists of connections the client has closed."""
    return [[text for _, text in t["lines"]] for t in server.snapshot() if t["closed"]]


def test_rounds_args_ranges_and_close_connection(recording_server, swarm, write_file):
    n = 4
    server = recording_server()
    mods = write_file("mods/say.lua", SAY_MODULE).parent
    plan = write_file(
        "plan.yml",
        """\
protocol: say
actions:
  - command: say
    args: {word: a}
    rounds: 2
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: say
    args: {word: b}
    rounds: 0
    sleep_after_action: 0
  - command: say
    args: {word: c}
    rounds: [1, 3]
    sleep_between_rounds: 5ms
    sleep_after_action: 0
  - command: close_connection
""",
    )
    run = swarm(server.address, plan, "--connections", n, "--interval", "500ms", protocol_dir=mods)
    iterations = wait_until(
        lambda: finished_iterations(server), 20, "90 finished iterations", check=lambda its: len(its) >= 90
    )
    assert run.stop() == 0
    c_counts = collections.Counter()
    for lines in iterations:
        words = [line.split(" ")[0] for line in lines]
        ids = {line.split(" ")[1] for line in lines}
        assert len(ids) == 1, f"one TCP connection carried several client ids: {lines}"
        assert words[:2] == ["a", "a"], f"iteration did not start with 2 rounds of a: {lines}"
        assert "b" not in words, f"rounds: 0 still made a call: {lines}"
        c = words[2:]
        assert c and set(c) == {"c"} and len(c) <= 3, f"rounds [1, 3] gave {lines}"
        c_counts[len(c)] += 1
    assert set(c_counts) == {1, 2, 3}, f"[1, 3] must draw both ends too: {dict(c_counts)}"


def test_sleeps_between_rounds_and_after_action(recording_server, swarm, write_file):
    server = recording_server()
    mods = write_file("mods/say.lua", SAY_MODULE).parent
    plan = write_file(
        "plan.yml",
        """\
protocol: say
actions:
  - command: say
    args: {word: a}
    rounds: 2
    sleep_between_rounds: 0.3
    sleep_after_action: 200ms
  - command: say
    args: {word: b}
    rounds: 1
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: close_connection
""",
    )
    run = swarm(server.address, plan, "--connections", 2, "--interval", "500ms", protocol_dir=mods)
    done = wait_until(
        lambda: [t for t in server.snapshot() if t["closed"]], 20, "4 finished iterations", check=lambda ts: len(ts) >= 4
    )
    assert run.stop() == 0
    for transcript in done:
        (t_a1, a1), (t_a2, a2), (t_b, b) = transcript["lines"]
        assert (a1.split()[0], a2.split()[0], b.split()[0]) == ("a", "a", "b")
        # 0.3 s between the rounds of a; after the last round too, then 200ms after the action.
        assert t_a2 - t_a1 >= 0.27, f"rounds of a {t_a2 - t_a1:.3f}s apart"
        assert t_b - t_a2 >= 0.45, f"b came {t_b - t_a2:.3f}s after the last a, expected 0.3 + 0.2 s"
        assert t_b - t_a2 < 1.5, f"b came {t_b - t_a2:.3f}s after the last a"


CLIENT_MODULE = r"""
local swarm = require("swarm")
local M = {}

local function expect(reply, pattern, what)
  if not reply:match(pattern) then error(what .. ": unexpected reply " .. reply) end
  return reply
end

function M.login_whoami(client, args)
  local uid = "user" .. client.id
  local reply = client:send_for_reply("login " .. uid .. "\r\n", swarm.reply_parser_crlf())
  local token = expect(reply, "^%+OK token (%x+)\r\n$", "login"):match("^%+OK token (%x+)")
  reply = client:send_for_reply("whoami " .. token .. "\r\n", swarm.reply_parser_crlf())
  expect(reply, "^%+OK uid " .. uid .. "\r\n$", "whoami")
end

function M.parsers(client, args)
  local want = "+OK heartbeat\r\n"
  local function check(reply, name)
    if reply ~= want then error(name .. " parser returned " .. string.format("%q", reply)) end
  end
  check(client:send_for_reply("heartbeat\r\n", swarm.reply_parser_length(#want)), "length")
  check(client:send_for_reply("heartbeat\r\n", swarm.reply_parser_delimiter("\r\n")), "delimiter")
  -- The original contract: a function asked first with nothing, then with each chunk.
  local got = ""
  local function line_parser(chunk)
    if chunk == nil then got = "" return 1 end
    got = got .. chunk
    if got:sub(-2) == "\r\n" then return 0 end
    return 1
  end
  check(client:send_for_reply("heartbeat\r\n", line_parser), "function")
  -- Two requests in one write; the second reply stays buffered for the next call.
  client:send_noreply("heartbeat\r\nheartbeat\r\n")
  check(client:send_for_reply("", swarm.reply_parser_crlf()), "pipelined first")
  check(client:send_for_reply("", swarm.reply_parser_crlf()), "pipelined second")
end

function M.nap(client, args)
  client:sleep(0.05)
end

return M
"""


def test_lua_client_api_against_the_demo_server(durian, swarm, write_file):
    n = 5
    server = durian()
    mods = write_file("mods/client.lua", CLIENT_MODULE).parent
    plan = write_file(
        "plan.yml",
        """\
protocol: client
actions:
  - command: login_whoami
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: parsers
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: nap
    sleep_between_rounds: 50ms
    sleep_after_action: 0
""",
    )
    run = swarm(server.address, plan, "--connections", n, "--interval", "500ms", "--timeout", "2s", protocol_dir=mods)
    server.wait_connections(n)
    before = server.stats().requests
    wait_until(server.stats, 15, "the plan's requests at the server", check=lambda s: s.requests >= before + 20 * n)
    with run.console() as console:
        console.greeting()
        stat = console.command("stat")
    assert run.stop() == 0
    out = run.process.stdout()
    final = out[out.rfind("final") :]
    errors = {k: v for k, v in error_counts(final).items() if v}
    assert not errors, f"errors in a plan that should run cleanly: {errors}\n{final}\n{stat}"


@pytest.mark.parametrize("sig", (signal.SIGINT, signal.SIGTERM), ids=("SIGINT", "SIGTERM"))
def test_signal_stops_with_a_final_report(sig, durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", "protocol: durian\nactions:\n  - command: heartbeat\n    sleep_between_rounds: 100ms\n")
    run = swarm(server.address, plan, "--connections", 10, "--interval", "500ms")
    server.wait_connections(10)
    run.process.popen.send_signal(sig)
    assert run.process.wait_exit() == 0
    assert "final report" in run.process.stdout()
    server.wait_connections(0, timeout=5)


def test_connect_rate_paces_new_connections(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", "protocol: durian\nactions:\n  - command: heartbeat\n    sleep_between_rounds: 100ms\n")
    run = swarm(server.address, plan, "--connections", 40, "--connect-rate", 20, "--interval", "500ms")
    samples = []

    def probe():
        stats = server.stats()
        samples.append(stats.connections)
        return stats

    wait_until(probe, 10, "40 connections at 20 per second", check=lambda s: s.connections == 40)
    # At 20/s, 40 connections take about 2 s: the server must have seen the
    # count climb through intermediate values, not jump to 40.
    climbing = [c for c in samples if 5 <= c <= 30]
    assert len(climbing) >= 5, f"connections were not paced: {samples}"
    assert run.stop() == 0


def test_server_given_by_host_name(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", "protocol: durian\nactions:\n  - command: heartbeat\n    sleep_between_rounds: 100ms\n")
    run = swarm(f"localhost:{server.port}", plan, "--connections", 5, "--interval", "500ms")
    server.wait_connections(5, timeout=10)
    assert run.stop() == 0


def test_open_files_limit_too_low_is_said(durian, swarm, write_file):
    import resource

    server = durian()
    plan = write_file("plan.yml", "protocol: durian\nactions:\n  - command: heartbeat\n    sleep_between_rounds: 100ms\n")

    def limit_open_files():  # in the child only
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))

    run = swarm(server.address, plan, "--connections", 200, "--interval", "500ms", wait=False, preexec_fn=limit_open_files)
    output = lambda: run.process.stdout() + run.process.stderr()  # noqa: E731
    text = wait_until(output, 10, "a message about the open files limit", check=lambda t: re.search(r"open files", t))
    assert "64" in text, f"the message does not give the limit:\n{text}"
    if run.process.running():
        run.wait_console()
        stats = wait_until(server.stats, 10, "some connections", check=lambda s: s.connections > 0)
        assert stats.connections < 64, stats
        assert run.process.running(), "swarm died at the open files limit"
        assert run.stop() == 0
    else:
        assert run.process.popen.returncode == 2, text
