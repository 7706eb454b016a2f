"""The console steers the run: incr/decr change what the server sees, stop
ends swarm cleanly, and telnet noise does no harm."""

import re
import socket

from conftest import PROBE_MODULE, status_lines, wait_until

HEARTBEAT_PLAN = """\
protocol: durian
actions:
  - command: heartbeat
    rounds: 1
    sleep_between_rounds: 100ms
    sleep_after_action: 0
"""

PROBE_PLAN = """\
protocol: probe
actions:
  - command: heartbeat
    sleep_between_rounds: 100ms
    sleep_after_action: 0
"""


def last_line(reply):
    lines = [line for line in reply.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def test_incr_decr_stop_seen_from_the_server(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", HEARTBEAT_PLAN)
    run = swarm(server.address, plan, "--threads", "2", "--interval", "500ms")
    with run.console() as console:
        greeting = console.greeting()
        assert "Welcome to Swarm Remote Console" in greeting
        assert "Usage:" in greeting
        assert server.stats().connections == 0, "swarm opened connections before any incr"

        assert last_line(console.command("incr 50")) == "OK"
        server.wait_connections(50)
        assert last_line(console.command("decr 20")) == "OK"
        server.wait_connections(30)
        assert last_line(console.command("incr 10")) == "OK"
        server.wait_connections(40)

        # The connections run the plan: the server answers their heartbeats.
        before = server.stats().requests
        wait_until(server.stats, 10, "heartbeats to reach the server", check=lambda s: s.requests >= before + 40)

        stat = console.command("stat")
        for word in ("connections", "target", "open", "requests", "replies", "p50", "p99", "heartbeat"):
            assert word in stat, f"`stat` lacks {word!r}:\n{stat}"
        assert re.search(r"target\s+40\b", stat), f"`stat` does not show target 40:\n{stat}"
        assert re.search(r"open\s+40\b", stat), f"`stat` does not show 40 open:\n{stat}"

        # Status blocks scroll by on stdout every --interval.
        wait_until(run.process.stdout, 10, "two status blocks on stdout", check=lambda out: out.count("Realtime") >= 2)

        console.send_raw(b"stop\r\n")
        reply = console.read_to_end()
    assert "OK" in reply, f"`stop` answered {reply!r}"
    assert run.process.wait_exit() == 0
    server.wait_connections(0, timeout=5)

    out = run.process.stdout()
    for first_word in ("connections", "Realtime", "Aggregates", "errors", "latency"):
        assert status_lines(out, first_word), f"no line starting with {first_word!r} in stdout:\n{out}"
    final = out[out.rfind("final") :] if "final" in out else out[-2000:]
    assert "heartbeat" in final and "p50" in final and "p99" in final, f"final report:\n{final}"


def test_telnet_noise_bad_numbers_and_session_limit(durian, swarm, write_file):
    server = durian()
    mods = write_file("mods/probe.lua", PROBE_MODULE).parent
    plan = write_file("plan.yml", PROBE_PLAN)
    run = swarm(server.address, plan, "--interval", "500ms", protocol_dir=mods)
    with run.console() as console:
        console.greeting()
        # What telnet sends on connect: WILL/DO/WONT/DONT and a subnegotiation (NAWS).
        console.send_raw(b"\xff\xfb\x01\xff\xfd\x03\xff\xfc\x22\xff\xfe\x05")
        console.send_raw(b"\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0")
        console.send_raw(b"\r\n\r\n   \r\n\t\r\n")  # bare CRLF and blank lines
        console.send_raw(b"\x00\x01\x02\x7f\x80\xfe\xc3\x28garbage\x1b[A\r\n")  # binary garbage
        console.send_raw(b"x" * 100_000 + b"\r\n")  # a very long line
        console.send_raw(b"incr 5 \xff\xf1\r\n")  # a telnet NOP inside a command line
        reply = console.command("")
        assert "OK" in reply.splitlines(), f"`incr 5` after the noise answered:\n{reply!r}"
        server.wait_connections(5)

        stat = console.command("stat")
        assert "connections" in stat and "p50" in stat, f"`stat` after the noise:\n{stat!r}"

        for bad in ("incr -5", "decr -5", "incr abc", "incr 5x", "incr", "incr 0"):
            answer = console.command(bad)
            assert answer.startswith("Invalid Command"), f"{bad!r} answered {answer!r}"
        assert "Unknown command 'bogus'" in console.command("bogus")
        assert "Usage:" in console.command("help")
        assert server.stats().connections == 5, "a rejected command changed the connections"

        # Sessions: the default limit is 2; a third one is told and closed.
        with run.console() as second:
            assert "Welcome to Swarm Remote Console" in second.greeting()
            with run.console() as third:
                refused = third.read_to_end()
            assert refused.strip(), "the third session was closed without a message"
            assert "Welcome" not in refused, f"a third session was accepted:\n{refused}"
            assert last_line(second.command("incr 1")) == "OK"
        server.wait_connections(6)

        # Once one session is gone, a new one is accepted again (nc style:
        # the input ends right after the command, the reply still comes).
        def half_closed_session():
            with run.console() as again:
                again.send_raw(b"incr 1\r\n")
                again.sock.shutdown(socket.SHUT_WR)
                return again.read_to_end()

        text = wait_until(half_closed_session, 10, "a new session after one closed", check=lambda t: "Welcome" in t)
        assert "OK" in text.splitlines(), f"nc-style `incr 1` answered:\n{text!r}"
        server.wait_connections(7)
        assert last_line(console.command("decr 7")) == "OK"
        server.wait_connections(0)
    assert run.stop() == 0


SPEAK_MODULE = r"""
local swarm = require("swarm")
return {
  speak = function(client, args)
    client:send_for_reply("speak " .. client.id .. "\r\n", swarm.reply_parser_crlf())
  end,
}
"""


def test_decr_closes_random_connections_not_the_newest(recording_server, swarm, write_file):
    n = 60
    server = recording_server()
    mods = write_file("mods/speak.lua", SPEAK_MODULE).parent
    plan = write_file(
        "plan.yml", "protocol: speak\nactions:\n  - command: speak\n    sleep_between_rounds: 100ms\n    sleep_after_action: 0\n"
    )
    run = swarm(server.address, plan, "--interval", "500ms", protocol_dir=mods)
    with run.console() as console:
        console.greeting()
        assert last_line(console.command(f"incr {n}")) == "OK"
        wait_until(
            server.snapshot, 10, f"{n} connections that spoke", check=lambda ts: sum(1 for t in ts if t["lines"]) == n
        )
        assert last_line(console.command(f"decr {n // 2}")) == "OK"
        transcripts = wait_until(
            server.snapshot,
            10,
            f"{n // 2} connections closed by decr",
            check=lambda ts: sum(1 for t in ts if t["closed"]) == n // 2,
        )
    assert run.stop() == 0
    assert len(transcripts) == n, "decr made swarm open new connections"
    # transcripts are in the order the server accepted the connections: oldest first.
    kept_old = sum(1 for t in transcripts[: n // 2] if not t["closed"])
    # Uniformly random: about n/4 of the older half stay (hypergeometric, sd ~2.7).
    assert 5 <= kept_old <= n // 2 - 5, (
        f"decr did not close uniformly random connections: {kept_old} of the {n // 2} oldest stayed "
        f"(closed flags oldest first: {[int(t['closed']) for t in transcripts]})"
    )
