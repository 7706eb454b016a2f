"""A module that misbehaves costs its command, never the run: a command
that never returns or allocates without end, a reply parser that fails or
answers nonsense. Each is counted as a script error with its message, the
worker's other connections keep running, and `stop` ends swarm within 5 s
with exit 0, even when a worker is stuck for good."""

import re
import time

import pytest

from conftest import error_counts, status_lines, wait_until

HAZARDS = r"""
local swarm = require("swarm")
local M = {}
local crlf = swarm.reply_parser_crlf()

local function heartbeat(client)
  local reply = client:send_for_reply("heartbeat\r\n", crlf)
  if reply:sub(1, 3) ~= "+OK" then error("unexpected reply: " .. reply) end
end

-- Connection 1 misbehaves; the others do their heartbeat.
function M.spin(client)
  if client.id == 1 then while true do end end
  heartbeat(client)
end
function M.hog(client)
  if client.id == 1 then
    local t, i = {}, 0
    while true do i = i + 1; t[i] = string.rep("x", 4096) .. i end
  end
  heartbeat(client)
end
function M.long_message(client)
  error("the chat server answered the heartbeat with a reply this module cannot understand at all, "
        .. "so this message is long-message-marker")
end

local parsers = {
  raises = function(chunk) error("parser-raises-marker") end,
  nan = function(chunk) return 0 / 0 end,
  text = function(chunk) return "5" end,
  absurd = function(chunk) return 1e12 end,
}
for name, parser in pairs(parsers) do
  M["parser_" .. name] = function(client) client:send_for_reply("heartbeat\r\n", parser) end
end
-- The original contract: the first call asks for bytes, a number <= 0 ends the reply.
function M.parser_negative(client)
  local reply = client:send_for_reply("heartbeat\r\n", function(chunk)
    if chunk == nil then return 1 end
    if chunk == "\n" then return -7 end
    return 1
  end)
  if reply:sub(1, 3) ~= "+OK" then error("unexpected reply: " .. reply) end
end
return M
"""


def plan_for(command):
    return f"protocol: hazards\nactions:\n  - command: {command}\n    sleep_between_rounds: 50ms\n    sleep_after_action: 0\n"


def start(durian, swarm, write_file, command, *flags, connections=4):
    server = durian()
    mods = write_file("mods/hazards.lua", HAZARDS).parent
    plan = write_file("plan.yml", plan_for(command))
    run = swarm(server.address, plan, "--connections", connections, "--threads", 1, "--interval", "500ms", *flags, protocol_dir=mods)
    return server, run


def stat_of(run):
    with run.console() as console:
        console.greeting()
        return console.command("stat")


def stop_within_5s(run):
    started = time.monotonic()
    status = run.stop(timeout=10)
    took = time.monotonic() - started
    assert status == 0, f"exit {status}\n{run.process.stderr()}"
    assert took < 5.0, f"stop took {took:.1f}s"
    out = run.process.stdout()
    return out[out.rfind("final report") :]


def test_a_command_that_never_returns_is_stopped_and_the_others_run_on(durian, swarm, write_file):
    server, run = start(durian, swarm, write_file, "spin")
    server.wait_connections(4)
    stat = wait_until(
        lambda: stat_of(run), 20, "the endless loop counted with its message",
        check=lambda s: error_counts(s).get("script_error", 0) >= 2 and "without yielding" in s,
    )
    assert re.search(r"spin: hazards\.lua:\d+: ran for more than 1s without yielding", stat), stat
    # The same worker's three other connections keep sending heartbeats.
    before = server.stats().requests
    wait_until(server.stats, 10, "heartbeats from the other connections", check=lambda s: s.requests >= before + 6)
    assert not [l for l in status_lines(stat, "workers")], f"a worker was named stuck:\n{stat}"
    final = stop_within_5s(run)
    assert "ran for more than 1s without yielding" in final, final


def test_a_worker_stuck_for_good_is_named_and_stop_still_ends_the_run(durian, swarm, write_file):
    # With the limit off, nothing can interrupt the loop: the worker is lost,
    # and swarm must say so instead of dropping its connections silently.
    server = durian()
    mods = write_file("mods/hazards.lua", HAZARDS).parent
    plan = write_file("plan.yml", plan_for("spin"))
    run = swarm(server.address, plan, "--connections", 4, "--threads", 2, "--interval", "500ms", "--lua-call-limit", "0", protocol_dir=mods)
    stat = wait_until(
        lambda: stat_of(run), 20, "the stuck worker named in `stat`", check=lambda s: "has not answered" in s
    )
    assert re.search(r"workers\s+worker 1 of 2 has not answered for \S+: its 2 connections are frozen", stat), stat
    # The other worker carries on.
    before = server.stats().requests
    wait_until(server.stats, 10, "heartbeats from the other worker", check=lambda s: s.requests >= before + 4)
    final = stop_within_5s(run)
    assert re.search(r"workers\s+worker 1 of 2 did not stop", final), final
    assert "worker 1 did not stop within 3s" in run.process.stderr()


@pytest.mark.bounds
def test_a_command_allocating_without_end_is_limited(durian, swarm, write_file, processes):
    server, run = start(durian, swarm, write_file, "hog", "--lua-memory-limit", "64MiB")
    server.wait_connections(4)
    stat = wait_until(
        lambda: stat_of(run), 30, "two memory errors", check=lambda s: error_counts(s).get("script_error", 0) >= 2
    )
    assert "hog: not enough memory (the Lua heap reached --lua-memory-limit 64MiB)" in stat, stat
    rss_kib = int(re.search(r"VmRSS:\s+(\d+)", open(f"/proc/{run.process.pid}/status").read()).group(1))
    assert rss_kib < 512 * 1024, f"RSS {rss_kib} KiB with a 64 MiB Lua limit"
    before = server.stats().requests
    wait_until(server.stats, 10, "heartbeats from the other connections", check=lambda s: s.requests >= before + 6)
    assert run.process.running()
    stop_within_5s(run)


PARSER_CASES = {
    "raises": "reply parser: hazards.lua:\\d+: parser-raises-marker",
    "nan": "reply parser: returned NaN instead of a byte count",
    "text": "reply parser: returned a string instead of a byte count",
    "absurd": r"reply parser: asks for 1000000000000 bytes \(at most 1073741824\)",
}


@pytest.mark.parametrize("case", list(PARSER_CASES))
def test_a_parser_answering_nonsense_is_a_script_error_with_its_message(case, durian, swarm, write_file):
    server, run = start(durian, swarm, write_file, f"parser_{case}", connections=2)
    # Counted under script_error (the module's fault) or protocol_error (the
    # reply's); the message says which parser said what.
    stat = wait_until(
        lambda: stat_of(run), 15, f"the {case} parser's error",
        check=lambda s: sum(error_counts(s).get(r, 0) for r in ("script_error", "protocol_error")) >= 2,
    )
    assert re.search(PARSER_CASES[case], stat), stat
    assert run.process.running()
    stop_within_5s(run)


def test_a_parser_ending_a_reply_with_a_negative_count_is_the_original_contract(durian, swarm, write_file):
    server, run = start(durian, swarm, write_file, "parser_negative", connections=2)
    before = server.stats().requests
    wait_until(server.stats, 10, "heartbeats answered", check=lambda s: s.requests >= before + 10)
    final = stop_within_5s(run)
    assert not error_counts(final), final


def test_a_long_script_error_is_shown_whole_in_the_final_report(durian, swarm, write_file):
    server, run = start(durian, swarm, write_file, "long_message", connections=1)
    wait_until(lambda: stat_of(run), 15, "the error", check=lambda s: error_counts(s).get("script_error", 0) >= 1)
    final = stop_within_5s(run)
    assert (
        "long_message: hazards.lua:24: the chat server answered the heartbeat with a reply this module "
        "cannot understand at all, so this message is long-message-marker" in final
    ), final
