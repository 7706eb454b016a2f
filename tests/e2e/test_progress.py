"""The progress line: on a terminal (a pty), one line rewritten in place
between the status blocks; into a pipe or a file, nothing of it."""

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time

from conftest import SCRIPTS, free_port

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run_in_pty(args, timeout=20.0, columns=160):
    """Runs `args` with a pty of `columns` as its terminal; returns (exit status, output)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its stdin, stdout and stderr
        os.environ["TERM"] = "xterm"
        os.execv(args[0], args)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    output = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(fd)
    if time.monotonic() >= deadline:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def swarm_args(swarm_bin, redis, extra):
    return [swarm_bin, "--listen", f"127.0.0.1:{free_port()}", "--server", redis.address,
            "--script", str(SCRIPTS / "redis.yml"), "--protocol-dir", str(SCRIPTS.parent / "protocols"), *extra]


def test_progress_line_on_a_terminal(redis_server, swarm_bin):
    code, out = run_in_pty(swarm_args(swarm_bin, redis_server,
                                      ["--connections", "300", "--connect-rate", "200", "--interval", "1s",
                                       "--duration", "3s"]))
    assert code == 0, out[-3000:]
    # Each redraw starts with a carriage return and ends by erasing the rest.
    lines = [ANSI.sub("", part) for part in out.split("\r") if "conn/s" in part]
    assert len(lines) >= 6, out[-3000:]
    ramp = [l for l in lines if re.search(r"\b(\d+)/300 open", l) and "ETA" in l]
    assert ramp, lines
    match = re.search(r"^\[([#.]+)\] (\d+)/300 open +(\d+)%  connecting (\d+)  failed 0  (\S+) conn/s  ETA (\S+)  left (\S+)",
                      ramp[0])
    assert match, ramp[0]
    assert int(match.group(2)) < 300
    done = [l for l in lines if "300/300 open 100%" in l]
    assert done and "ETA" not in done[-1] and "left" in done[-1], lines[-3:]
    # The line never runs into a status block: every block starts on its own line.
    for block in re.finditer(r"swarm status", out):
        before = ANSI.sub("", out[max(0, block.start() - 40):block.start()])
        assert before.endswith(("\n", "\r")), repr(before)
    assert "final" in out or "requests" in out.split("swarm: stopping")[-1]
    # The line was erased before the stop's report.
    tail = out.split("swarm: stopping")[0]
    assert tail.endswith("\r\x1b[K"), repr(tail[-80:])


def test_no_progress_line_into_a_pipe(redis_server, swarm):
    run = swarm(redis_server.address, SCRIPTS / "redis.yml", "--connections", 50, "--interval", "500ms",
                "--duration", "2s", wait=False)
    assert run.process.wait_exit(timeout=20) == 0
    out = run.process.stdout()
    assert out.count("swarm status") >= 2
    assert "\r" not in out and "\x1b" not in out and "conn/s" not in out, out[:2000]
