"""Nobody but the operator steers the load: the console stays on loopback
unless given a token, sessions authenticate first, idle ones go away, and
every command is logged with who sent it."""

import re
import socket
import time

import pytest

from conftest import Console, free_port, run_to_exit, wait_until, PROTOCOLS

TOKEN = "7f3c9a1e5b2d4f60a8c7e3b1"
PLAN = "protocol: durian\nactions:\n  - command: heartbeat\n    sleep_between_rounds: 100ms\n"


def test_a_console_beyond_loopback_without_a_token_is_refused(swarm_bin, write_file):
    plan = write_file("plan.yml", PLAN)
    for listen in (f"0.0.0.0:{free_port()}", f"[::]:{free_port('::1')}"):
        run = run_to_exit([swarm_bin, "-r", "127.0.0.1:1", "-s", plan, "-p", PROTOCOLS, "-l", listen, "--connections", 5], timeout=30)
        assert run.status == 2, f"{listen}: exit {run.status}\n{run.stderr}"
        assert re.search(rf"--listen {re.escape(listen)}: the console would be reachable from other hosts.*token", run.stderr), run.stderr
        assert "console on" not in run.stdout


def read_available(sock, pattern, timeout=10.0):
    """Reads until `pattern` (bytes regex) is in what was read; returns it all."""
    data = b""
    deadline = time.monotonic() + timeout
    while not re.search(pattern, data):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"no {pattern!r} within {timeout}s; got {data!r}")
        sock.settimeout(remaining)
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace")


def test_with_a_token_a_session_must_authenticate_first(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", PLAN)
    token_file = write_file("token", TOKEN + "\n")
    token_file.chmod(0o600)
    # Listening on every address (reached here through loopback) is allowed
    # with a token.
    run = swarm(server.address, plan, "--console-token-file", token_file, "--interval", "500ms", console_host="0.0.0.0", wait=False)
    run.process.wait_output(r"swarm: console on 0\.0\.0\.0:\d+ .*auth TOKEN")
    port = run.console_port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        assert "type `auth TOKEN` first" in read_available(s, rb"auth TOKEN` first")
        s.sendall(b"incr 50\r\n")
        assert "Authentication required" in read_available(s, rb"Authentication required")
        started = time.monotonic()
        s.sendall(b"auth " + TOKEN[::-1].encode() + b"\r\n")
        read_available(s, rb"Authentication failed\r\n")
        assert time.monotonic() - started >= 0.2, "a wrong token was answered at once"
        assert server.stats().connections == 0, "a command before auth opened connections"
        s.sendall(b"auth " + TOKEN.encode() + b"\r\nincr 5\r\n")
        read_available(s, rb"OK\r\n(.|\r\n)*OK\r\n")
        server.wait_connections(5)
    err = run.process.stderr()
    assert re.search(r"console 127\.0\.0\.1:\d+: incr 50", err), err
    assert re.search(r"console 127\.0\.0\.1:\d+: auth failed \(1 in the last minute", err), err
    assert re.search(r"console 127\.0\.0\.1:\d+: incr 5\n", err), err
    assert TOKEN not in err and TOKEN[::-1] not in err, "the log shows a token"
    stat = Console("127.0.0.1", port)
    with stat:
        read_available(stat.sock, rb"auth TOKEN` first")
        stat.sock.sendall(b"auth " + TOKEN.encode() + b"\r\nstat\r\n")
        text = read_available(stat.sock, rb"console\s+auth failures 1")
    assert "auth failures 1" in text
    run.process.end()


def test_the_token_may_come_from_the_environment(durian, swarm, write_file, monkeypatch):
    server = durian()
    plan = write_file("plan.yml", PLAN)
    monkeypatch.setenv("SWARM_CONSOLE_TOKEN", TOKEN)
    run = swarm(server.address, plan, "--interval", "500ms")
    with run.console() as console:
        assert "type `auth TOKEN` first" in console.read_until(rb"first\.\r\n")
        console.send_raw(b"auth " + TOKEN.encode() + b"\r\n")
        console.read_until(rb"Usage:")
        assert "OK" in console.command("incr 2")
    server.wait_connections(2)
    with run.console() as console:
        console.read_until(rb"first\.\r\n")
        console.send_raw(f"auth {TOKEN}\r\nstop\r\n".encode())
        console.read_to_end()
    assert run.process.wait_exit() == 0


def test_idle_sessions_do_not_lock_the_operator_out(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", PLAN)
    run = swarm(server.address, plan, "--console-idle-timeout", "1s", "--interval", "500ms")
    first, second = run.console(), run.console()
    first.greeting()
    second.greeting()
    # Both sessions are taken (--max-sessions 2): a third is turned away...
    with run.console() as third:
        assert "Too many console sessions" in third.read_to_end()
    # ...until the idle ones are closed for being idle.
    assert "Closing: idle for 1s" in first.read_to_end(timeout=10)
    assert "Closing: idle for 1s" in second.read_to_end(timeout=10)
    first.close()
    second.close()
    with run.console() as operator:
        operator.greeting()
        assert "OK" in operator.command("incr 3")
    server.wait_connections(3)
    assert run.stop() == 0


def test_unknown_commands_are_echoed_escaped(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", PLAN)
    run = swarm(server.address, plan, "--interval", "500ms")
    with run.console() as console:
        console.greeting()
        console.send_raw(b"\xc3\x28\x9b2J\x80bogus\r\n")
        reply = console.read_until(rb"Usage:")
    assert "Unknown command '\\xc3(\\x9b2J\\x80bogus'" in reply, reply
    assert run.stop() == 0
