"""Shared helpers for swarm's end-to-end tests.

Real processes only: the real `swarm` binary, the real demo server
(`durian-server`), a real `redis-server`, and small servers written here.
Every wait polls a condition until a deadline (`wait_until`), and every
process a test starts is ended by the fixture that started it, even when the
test fails.

Environment: SWARM_BIN, DURIAN_SERVER_BIN, HOLD_SERVER_BIN (paths to the
binaries; relative paths are taken from the current directory) and
SWARM_SOURCE_DIR (the project root, for examples/ and docs/).
"""

import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

SOURCE_DIR = Path(os.environ.get("SWARM_SOURCE_DIR") or Path(__file__).resolve().parents[2])
EXAMPLES = SOURCE_DIR / "examples"
PROTOCOLS = EXAMPLES / "protocols"
SCRIPTS = EXAMPLES / "scripts"

# "address" or "thread" when the binaries were built with a sanitizer: bounds
# on time and memory are then looser (instrumented code is slower and bigger).
SANITIZER = os.environ.get("SWARM_SANITIZER", "")



def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "bounds: asserts a bound on time or memory (a deadline, a latency, a heap "
        "limit hit before a time limit) that ThreadSanitizer's slowdown breaks; skipped "
        "under TSan, where the suite looks for data races (ASan runs them, with looser bounds)",
    )


def pytest_collection_modifyitems(config, items):
    if SANITIZER != "thread":
        return
    skip = pytest.mark.skip(reason="a time or memory bound: not meaningful under ThreadSanitizer")
    for item in items:
        if "bounds" in item.keywords:
            item.add_marker(skip)


STARTUP_TIMEOUT = 10.0  # seconds a process may take to say it is ready
STOP_TIMEOUT = 10.0  # seconds a process may take to exit once asked


# --------------------------------------------------------------------------
# Waiting


def wait_until(probe, timeout, what, check=bool, interval=0.05):
    """Calls `probe()` until `check(value)` holds; returns that value.

    Fails the test after `timeout` seconds, naming `what` and showing the
    last value observed (or the exception the probe raised).
    """
    deadline = time.monotonic() + timeout
    last = "<never observed>"
    while True:
        try:
            value = probe()
            if check(value):
                return value
            last = repr(value)
        except Exception as error:  # noqa: BLE001 - shown in the failure message
            last = f"{type(error).__name__}: {error}"
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}; last observed: {last}")
        time.sleep(interval)


# --------------------------------------------------------------------------
# Binaries and ports


def _binary(variable, default_name):
    path = Path(os.environ.get(variable) or SOURCE_DIR / "build" / default_name)
    if not path.is_absolute():
        path = Path.cwd() / path
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(f"{variable}: no executable at {path}; build it first or set {variable}")
    return str(path)


@pytest.fixture(scope="session")
def swarm_bin():
    return _binary("SWARM_BIN", "swarm")


@pytest.fixture(scope="session")
def durian_bin():
    return _binary("DURIAN_SERVER_BIN", "durian-server")


@pytest.fixture(scope="session")
def hold_bin():
    return _binary("HOLD_SERVER_BIN", "hold-server")


def free_port(host="127.0.0.1"):
    """A TCP port nobody listens on right now (the kernel's pick for port 0)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def hostport(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# --------------------------------------------------------------------------
# Processes


class Process:
    """A child process whose stdout and stderr go to files that can be polled."""

    def __init__(self, args, name, log_dir, preexec_fn=None):
        self.args = [str(a) for a in args]
        self.name = name
        self.stdout_path = Path(log_dir) / f"{name}.stdout"
        self.stderr_path = Path(log_dir) / f"{name}.stderr"
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.popen = subprocess.Popen(
                self.args, stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=preexec_fn
            )

    @property
    def pid(self):
        return self.popen.pid

    def stdout(self):
        return self.stdout_path.read_bytes().decode("utf-8", "replace")

    def stderr(self):
        return self.stderr_path.read_bytes().decode("utf-8", "replace")

    def running(self):
        return self.popen.poll() is None

    def wait_output(self, pattern, timeout=STARTUP_TIMEOUT):
        """Waits until stdout matches `pattern`; fails early if the process exits."""
        regex = re.compile(pattern)

        def probe():
            text = self.stdout()
            match = regex.search(text)
            if match:
                return match
            if not self.running():
                pytest.fail(
                    f"{self.name} exited with {self.popen.returncode} before printing "
                    f"{pattern!r}\ncommand: {' '.join(self.args)}\nstdout:\n{text}\n"
                    f"stderr:\n{self.stderr()}"
                )
            return None

        return wait_until(probe, timeout, f"{self.name} to print {pattern!r}")

    def wait_exit(self, timeout=STOP_TIMEOUT):
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"{self.name} (pid {self.pid}) still running {timeout}s later\n"
                f"stdout tail:\n{self.stdout()[-3000:]}\nstderr:\n{self.stderr()[-3000:]}"
            )

    def kill(self):
        """SIGKILL, then reap."""
        if self.running():
            self.popen.kill()
        self.popen.wait(timeout=STOP_TIMEOUT)

    def end(self):
        """SIGTERM, then SIGKILL if it does not go; always reaps."""
        if not self.running():
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=STOP_TIMEOUT)


class Finished:
    """A process run to its end: status, output, wall time and peak memory."""

    def __init__(self, status, stdout, stderr, seconds, max_rss_bytes):
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.seconds = seconds
        self.max_rss_bytes = max_rss_bytes


def run_to_exit(args, timeout, cwd=None):
    """Runs `args` to its end (SIGKILL after `timeout` seconds) and measures
    it with wait4(): its own peak RSS, not that of other children."""
    started = time.monotonic()
    popen = subprocess.Popen(
        [str(a) for a in args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd
    )
    killer = threading.Timer(timeout, popen.kill)
    killer.start()
    try:
        out, err = b"", b""
        # Drain the pipes on threads: a chatty child must not block on a full pipe.
        chunks = {"out": [], "err": []}
        readers = [
            threading.Thread(target=lambda: chunks["out"].append(popen.stdout.read())),
            threading.Thread(target=lambda: chunks["err"].append(popen.stderr.read())),
        ]
        for reader in readers:
            reader.start()
        _, raw_status, usage = os.wait4(popen.pid, 0)
        popen.returncode = os.waitstatus_to_exitcode(raw_status)
        for reader in readers:
            reader.join()
        out, err = b"".join(chunks["out"]), b"".join(chunks["err"])
    finally:
        killer.cancel()
    return Finished(
        popen.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        time.monotonic() - started,
        usage.ru_maxrss * 1024,
    )


@pytest.fixture
def processes(tmp_path):
    """Starts processes for one test and ends every one of them afterwards."""
    started = []

    def start(args, name, preexec_fn=None):
        names = {p.name for p in started}
        unique, n = name, 1
        while unique in names:
            n += 1
            unique = f"{name}{n}"
        process = Process(args, unique, tmp_path, preexec_fn)
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        process.end()


# --------------------------------------------------------------------------
# Line-based TCP helpers


def request_line(host, port, line, timeout=5.0):
    """Sends one CRLF line on a new connection, returns the first reply line."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(line.encode() + b"\r\n")
        data = b""
        while b"\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")


class ServerStats:
    """The durian server's `stats`, without the asking connection's own share."""

    def __init__(self, connections, accepted, requests, closed, pushed=0, dropped=0):
        self.connections = connections
        self.accepted = accepted
        self.requests = requests
        self.closed = closed
        self.pushed = pushed  # chat messages the server queued to room members
        self.dropped = dropped  # chat messages dropped for members that did not read

    def __repr__(self):
        return (
            f"ServerStats(connections={self.connections}, accepted={self.accepted}, "
            f"requests={self.requests}, closed={self.closed}, pushed={self.pushed}, "
            f"dropped={self.dropped})"
        )


class DurianServer:
    """durian-server, plus its `stats` seen from a separate connection."""

    def __init__(self, start, binary, host="127.0.0.1", port=0, name="durian"):
        self._start = start
        self.binary = binary
        self.host = host
        self.port = port
        self.name = name
        self.queries = 0  # `stats` connections made to the current process
        self.process = None
        self.start()

    @property
    def address(self):
        return hostport(self.host, self.port)

    def start(self):
        """Starts (or restarts, on the same port) the server and waits until it listens."""
        self.process = self._start(
            [self.binary, "--listen", hostport(self.host, self.port), "--threads", "2", "--interval", "0"],
            self.name,
        )
        match = self.process.wait_output(r"durian-server: listening on \S*:(\d+)")
        self.port = int(match.group(1))
        self.queries = 0

    def kill(self):
        self.process.kill()

    def stats(self):
        """Counts of everyone but the asking connections (this one and the earlier ones)."""
        line = request_line(self.host, self.port, "stats")
        self.queries += 1
        match = re.fullmatch(
            r"\+OK connections (\d+) accepted (\d+) requests (\d+) closed (\d+) pushed (\d+) dropped (\d+)", line
        )
        if not match:
            raise AssertionError(f"unexpected stats reply {line!r}")
        connections, accepted, requests, closed, pushed, dropped = (int(g) for g in match.groups())
        return ServerStats(
            connections=connections - 1,  # the asking connection itself
            accepted=accepted - self.queries,  # every stats connection so far
            requests=requests - self.queries,  # every `stats` line so far
            closed=closed,
            pushed=pushed,
            dropped=dropped,
        )

    def wait_connections(self, count, timeout=15.0):
        return wait_until(
            self.stats, timeout, f"{self.name} to see {count} connections", check=lambda s: s.connections == count
        )


@pytest.fixture
def durian(processes, durian_bin):
    """durian(host="127.0.0.1", port=0) starts a demo server for this test."""

    def start(host="127.0.0.1", port=0, name="durian"):
        return DurianServer(processes, durian_bin, host=host, port=port, name=name)

    return start


# --------------------------------------------------------------------------
# Redis


class RedisServer:
    def __init__(self, start, binary, tmp_path):
        self.host = "127.0.0.1"
        self.port = free_port()
        self.process = start(
            [
                binary,
                "--port", str(self.port),
                "--bind", self.host,
                "--save", "",
                "--appendonly", "no",
                "--daemonize", "no",
                "--dir", str(tmp_path),
            ],
            "redis",
        )
        wait_until(self._ping, STARTUP_TIMEOUT, "redis-server to answer PING")

    @property
    def address(self):
        return hostport(self.host, self.port)

    def _ping(self):
        if not self.process.running():
            pytest.fail(f"redis-server exited: {self.process.stdout()[-2000:]}")
        return request_line(self.host, self.port, "PING") == "+PONG"

    def info(self, section):
        """`INFO section` as a dict, read over a new connection (counted by redis)."""
        with socket.create_connection((self.host, self.port), timeout=5) as s:
            s.sendall(f"INFO {section}\r\n".encode())
            data = b""
            while True:
                header_end = data.find(b"\r\n")
                if header_end >= 0:
                    if not data.startswith(b"$"):
                        raise AssertionError(f"unexpected INFO reply {data[:200]!r}")
                    length = int(data[1:header_end])
                    if len(data) >= header_end + 2 + length:
                        body = data[header_end + 2 : header_end + 2 + length]
                        break
                chunk = s.recv(65536)
                if not chunk:
                    raise AssertionError("redis closed the INFO connection")
                data += chunk
        fields = {}
        for line in body.decode().splitlines():
            if ":" in line and not line.startswith("#"):
                key, value = line.split(":", 1)
                fields[key] = value
        return fields


    def command(self, *words):
        """One command on a new connection; its reply, parsed (lists, ints, str, None)."""
        request = f"*{len(words)}\r\n" + "".join(f"${len(str(w).encode())}\r\n{w}\r\n" for w in words)
        with socket.create_connection((self.host, self.port), timeout=5) as s:
            s.sendall(request.encode())
            data = b""
            while True:
                parsed = _parse_resp(data, 0)
                if parsed is not None:
                    return parsed[0]
                chunk = s.recv(65536)
                if not chunk:
                    raise AssertionError(f"redis closed before a whole reply: {data!r}")
                data += chunk

    def commandstats(self):
        """`INFO commandstats` as {command: calls}."""
        calls = {}
        for key, value in self.info("commandstats").items():
            if key.startswith("cmdstat_"):
                calls[key[len("cmdstat_"):]] = int(value.split(",")[0].split("=")[1])
        return calls

    def errorstats(self):
        """`INFO errorstats` as {error word: count}."""
        counts = {}
        for key, value in self.info("errorstats").items():
            if key.startswith("errorstat_"):
                counts[key[len("errorstat_"):]] = int(value.split("=")[1])
        return counts


def _parse_resp(data, at):
    """(value, next offset) of the RESP2 value at `at`, or None when incomplete."""
    end = data.find(b"\r\n", at)
    if end < 0:
        return None
    kind, line = data[at : at + 1], data[at + 1 : end].decode()
    if kind in (b"+", b"-"):
        return (kind.decode() + line if kind == b"-" else line), end + 2
    if kind == b":":
        return int(line), end + 2
    if kind == b"$":
        length = int(line)
        if length < 0:
            return None, end + 2
        if len(data) < end + 2 + length + 2:
            return None
        return data[end + 2 : end + 2 + length].decode(), end + 2 + length + 2
    if kind == b"*":
        items, at = [], end + 2
        for _ in range(int(line)):
            parsed = _parse_resp(data, at)
            if parsed is None:
                return None
            items.append(parsed[0])
            at = parsed[1]
        return items, at
    raise AssertionError(f"unexpected RESP {data[at:at + 40]!r}")


@pytest.fixture
def redis_server(processes, tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    return RedisServer(processes, binary, tmp_path)


# --------------------------------------------------------------------------
# memcached


class MemcachedServer:
    def __init__(self, start, binary):
        self.host = "127.0.0.1"
        self.port = free_port()
        args = [binary, "-l", self.host, "-p", str(self.port), "-U", "0", "-c", "4096"]
        if os.geteuid() == 0:
            args += ["-u", "nobody"]  # memcached refuses to run as root otherwise
        self.process = start(args, "memcached")
        wait_until(self._version, STARTUP_TIMEOUT, "memcached to answer version")

    @property
    def address(self):
        return hostport(self.host, self.port)

    def _version(self):
        if not self.process.running():
            pytest.fail(f"memcached exited: {self.process.stderr()[-2000:]}")
        return request_line(self.host, self.port, "version").startswith("VERSION")

    def stats(self):
        """`stats` as {name: int} (the numeric ones), read over a new connection."""
        with socket.create_connection((self.host, self.port), timeout=5) as s:
            s.sendall(b"stats\r\n")
            data = b""
            while not data.endswith(b"END\r\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        fields = {}
        for line in data.decode().splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "STAT" and parts[2].lstrip("-").isdigit():
                fields[parts[1]] = int(parts[2])
        return fields


@pytest.fixture
def memcached_server(processes):
    binary = shutil.which("memcached")
    if binary is None:
        pytest.skip("memcached is not installed (apt-get install memcached)")
    return MemcachedServer(processes, binary)


# --------------------------------------------------------------------------
# The hold server (tests/servers/hold): every request answered exactly
# --hold after it arrived; its own counts and hold times are the oracle.


class HoldServer:
    def __init__(self, start, binary, hold):
        self.process = start([binary, "--listen", "127.0.0.1:0", "--hold", hold], "hold-server")
        match = self.process.wait_output(r"hold-server: listening on \S+:(\d+)")
        self.host = "127.0.0.1"
        self.port = int(match.group(1))

    @property
    def address(self):
        return hostport(self.host, self.port)

    def stats(self):
        """Counts so far: requests, replies, connections (less the asking one), dropped."""
        line = request_line(self.host, self.port, "HOLDSTATS")
        match = re.fullmatch(r"\+requests (\d+) replies (\d+) connections (\d+) dropped (\d+)", line)
        if not match:
            raise AssertionError(f"unexpected HOLDSTATS reply {line!r}")
        return dict(zip(("requests", "replies", "connections", "dropped"), map(int, match.groups())))

    def wait_idle(self, timeout=10.0):
        """Waits until every client has gone (so every byte they sent is counted)."""
        return wait_until(self.stats, timeout, "the hold server's clients to leave", check=lambda s: s["connections"] == 0)

    def stop(self):
        """SIGTERM; returns its final counts and hold times (µs) as a dict."""
        self.process.popen.send_signal(signal.SIGTERM)
        assert self.process.wait_exit() == 0, self.process.stderr()
        out = self.process.stdout()
        counts = re.search(r"accepted (\d+) requests (\d+) replies (\d+) dropped (\d+)", out)
        holds = re.search(r"hold_us (.*)$", out, re.M)
        assert counts and holds, out
        result = dict(zip(("accepted", "requests", "replies", "dropped"), map(int, counts.groups())))
        words = holds.group(1).split()
        result["hold_us"] = {words[i]: float(words[i + 1]) for i in range(0, len(words) - 1, 2)}
        return result


@pytest.fixture
def hold_server(processes, hold_bin):
    """hold_server(hold="10ms") starts a hold server for this test."""

    def start(hold="10ms"):
        return HoldServer(processes, hold_bin, hold)

    return start


# --------------------------------------------------------------------------
# Reports


REPORT_SCHEMA = SOURCE_DIR / "docs" / "report.schema.json"


def load_report(path):
    """The JSON report at `path`, validated against docs/report.schema.json."""
    try:
        import jsonschema
    except ImportError:
        pytest.fail("python3-jsonschema is needed to validate reports (apt-get install python3-jsonschema)")
    report = json.loads(Path(path).read_text())
    schema = json.loads(REPORT_SCHEMA.read_text())
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    problems = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
    assert not problems, "report does not match the schema:\n" + "\n".join(
        f"  {'/'.join(map(str, e.path))}: {e.message[:300]}" for e in problems[:20]
    )
    return report


def percentile_from_buckets(buckets, minimum, maximum, p):
    """swarm's percentile from a report's buckets: nearest rank, the bucket's
    midpoint clamped to [min, max] (the top bucket answers max)."""
    total = sum(count for _, _, count in buckets)
    rank = max(1, math.ceil(p / 100.0 * total))
    seen = 0
    for lowest, highest, count in buckets:
        seen += count
        if seen >= rank:
            if p >= 100:
                return maximum
            return min(max(lowest + (highest - lowest) // 2, minimum), maximum)
    return maximum


# --------------------------------------------------------------------------
# swarm and its console


class Console:
    """A console session, as telnet or nc would open it."""

    def __init__(self, host, port, timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""
        self.sentinels = 0

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def read_until(self, pattern, timeout=10.0):
        """Reads until `pattern` (bytes regex) matches; returns the text through the match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.buffer)
            if match:
                text, self.buffer = self.buffer[: match.end()], self.buffer[match.end() :]
                return text.decode("utf-8", "replace")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"console: no {pattern!r} within {timeout}s; received {self.buffer[-2000:]!r}")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                pytest.fail(f"console closed before {pattern!r}; received {self.buffer[-2000:]!r}")
            self.buffer += chunk

    def read_to_end(self, timeout=10.0):
        """Everything until the console closes the session."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"console: session still open after {timeout}s; received {self.buffer[-2000:]!r}")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                text, self.buffer = self.buffer, b""
                return text.decode("utf-8", "replace")
            self.buffer += chunk

    def greeting(self):
        """The banner and usage printed on connect."""
        return self.read_until(rb"Usage:") + self.command("")

    def command(self, line, timeout=10.0):
        """Sends `line` and returns all the console printed in reply.

        The end of the reply is found with a sentinel: `decr <word>` right after
        the command is always answered with one `Invalid Command` line naming
        the word, so everything before that line is the command's reply.
        """
        self.sentinels += 1
        word = f"sentinel{self.sentinels}x"
        self.send_raw(line.encode() + b"\r\n" + f"decr {word}\r\n".encode())
        text = self.read_until(rb"[^\n]*" + word.encode() + rb"[^\n]*\r\n", timeout)
        return text[: text.rfind("\n", 0, text.find(word)) + 1]


class Swarm:
    """The swarm binary, with stdout and stderr in files and its console address."""

    def __init__(self, start, binary, server, script, protocol_dir, extra, console_host="127.0.0.1", preexec_fn=None):
        self.console_host = console_host
        self.console_port = free_port(console_host)
        args = [
            binary,
            "--listen", hostport(console_host, self.console_port),
            "--server", server,
            "--script", script,
            *(["--protocol-dir", protocol_dir] if protocol_dir is not None else []),
            *[str(a) for a in extra],
        ]
        self.process = start(args, "swarm", preexec_fn)

    def wait_console(self):
        self.process.wait_output(r"swarm: console on ")

    def console(self):
        return Console(self.console_host, self.console_port)

    def stop(self, timeout=STOP_TIMEOUT):
        """`stop` on the console; returns the exit status."""
        with self.console() as console:
            console.greeting()
            console.send_raw(b"stop\r\n")
            reply = console.read_to_end()
        assert "OK" in reply, f"`stop` answered {reply!r}"
        return self.process.wait_exit(timeout)


@pytest.fixture
def swarm(processes, swarm_bin):
    """swarm(server_address, script, *extra_flags, protocol_dir=..., wait=True).

    `protocol_dir=None` gives no --protocol-dir (a built-in protocol).
    `preexec_fn` runs in the child before exec (e.g. to lower its limits)."""

    def start(server, script, *extra, protocol_dir=PROTOCOLS, console_host="127.0.0.1", wait=True, preexec_fn=None):
        s = Swarm(processes, swarm_bin, server, script, protocol_dir, extra, console_host, preexec_fn)
        if wait:
            s.wait_console()
        return s

    return start


# --------------------------------------------------------------------------
# Reading swarm's status

ERROR_REASONS = (
    "refused",
    "connect_timeout",
    "unreachable",
    "closed",
    "reset",
    "timeout",
    "protocol_error",
    "script_error",
    "addr_in_use",
    "addr_not_available",
    "too_many_files",
    "reply_too_large",
    "tls_verify",
    "tls_handshake",
    "tls_error",
)


def parse_count(text):
    """'12' -> 12, '1.5k' -> 1500, '2M' -> 2000000."""
    scale = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([kMG]?)", text)
    return int(float(match.group(1)) * scale[match.group(2)]) if match else None


def error_counts(status):
    """The largest count shown after each error reason word anywhere in `status`."""
    counts = {}
    for reason in ERROR_REASONS:
        for match in re.finditer(rf"(?<![\w-]){reason}\s+(\d+(?:\.\d+)?[kMG]?)\b", status):
            value = parse_count(match.group(1))
            if value is not None:
                counts[reason] = max(counts.get(reason, 0), value)
    return counts


def status_lines(status, first_word):
    return [line for line in status.splitlines() if line.strip().startswith(first_word)]


def final_report(stdout):
    """The final report swarm printed last."""
    at = stdout.rfind("swarm final report")
    assert at >= 0, f"no final report in:\n{stdout[-3000:]}"
    return stdout[at:]


def report_rows(final):
    """The final report's latency table as {row name: {"calls", "requests",
    "replies", "errors"}} (row names may hold spaces: "command ZADD")."""
    rows = {}
    table = final[final.find("\nlatency") + 1 :].splitlines()[1:]
    for line in table:
        match = re.match(r"  (\S.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s", line)
        if not match:
            break
        name, calls, requests, replies, errors = match.groups()
        rows[name] = {"calls": int(calls), "requests": int(requests), "replies": int(replies),
                      "errors": int(errors)}
    return rows


def report_line(final, label):
    """The final report's line that starts with `label`, without it ("" when absent)."""
    for line in final.splitlines():
        if line.startswith(label):
            return line[len(label) :].strip()
    return ""


def kinds(line):
    """A "reply errors"/"reply kinds" line as {command: {kind: count}}."""
    out = {}
    for part in line.split(" | "):
        if ":" not in part:
            continue
        command, items = part.split(": ", 1)
        pairs = items.split()
        out[command.strip()] = {pairs[i]: parse_count(pairs[i + 1]) for i in range(0, len(pairs), 2)}
    return out


# --------------------------------------------------------------------------
# Small servers written here


class ScriptedServer:
    """A TCP server on 127.0.0.1 that answers every read with `reply(data)`.

    `reply` returns the bytes to send, None to stay silent, or "close" to
    hang up. Counts the
    connections it accepted. Threads end when the server is closed.
    """

    def __init__(self, reply):
        self.reply = reply
        self.accepted = 0
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.clients = []
        self.threads = [threading.Thread(target=self._accept_loop, daemon=True)]
        self.threads[0].start()

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def _accept_loop(self):
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.accepted += 1
                self.clients.append(client)
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _serve(self, client):
        client.settimeout(0.2)
        while not self.closing.is_set():
            try:
                data = client.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            if not data:
                client.close()
                return
            answer = self.reply(data)
            if answer == "close":
                client.close()
                return
            if answer is not None:
                try:
                    client.sendall(answer)
                except OSError:
                    return

    def close(self):
        self.closing.set()
        self.listener.close()
        for thread in self.threads:
            thread.join(timeout=2)
        with self.lock:
            for client in self.clients:
                client.close()


class RecordingServer(ScriptedServer):
    """Answers every complete line with "+OK\r\n" and records, per connection,
    each line with the time it arrived and whether the client closed."""

    def __init__(self):
        self.transcripts = []  # per connection: {"lines": [(time, text)], "closed": bool}
        self.pending = {}
        super().__init__(self._answer)

    def _serve(self, client):
        transcript = {"lines": [], "closed": False}
        with self.lock:
            self.transcripts.append(transcript)
        buffer = b""
        client.settimeout(0.2)
        while not self.closing.is_set():
            try:
                data = client.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            buffer += data
            answers = b""
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                with self.lock:
                    transcript["lines"].append((time.monotonic(), line.rstrip(b"\r").decode("utf-8", "replace")))
                answers += b"+OK\r\n"
            try:
                client.sendall(answers)
            except OSError:
                break
        with self.lock:
            transcript["closed"] = True
        client.close()

    def _answer(self, data):
        return None

    def snapshot(self):
        with self.lock:
            return [{"lines": list(t["lines"]), "closed": t["closed"]} for t in self.transcripts]


@pytest.fixture
def recording_server():
    servers = []

    def start():
        server = RecordingServer()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def scripted_server():
    servers = []

    def start(reply):
        server = ScriptedServer(reply)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


# --------------------------------------------------------------------------
# The fault server (tests/servers/fault/fault_server.py): its own process,
# steered over its control port.

FAULT_SERVER = SOURCE_DIR / "tests" / "servers" / "fault" / "fault_server.py"


class FaultServer:
    """A server that misbehaves on command (see fault_server.py for the modes)."""

    def __init__(self, start, mode="ok", size=None, host="127.0.0.1"):
        args = [sys.executable, FAULT_SERVER, "--listen", hostport(host, 0), "--mode", mode]
        if size is not None:
            args += ["--size", size]
        self.process = start(args, "fault-server")
        match = self.process.wait_output(r"fault-server: listening on (\S+):(\d+) control \S+:(\d+)")
        self.host = host
        self.port = int(match.group(2))
        self.control_port = int(match.group(3))

    @property
    def address(self):
        return hostport(self.host, self.port)

    def command(self, line):
        with socket.create_connection((self.host, self.control_port), timeout=5) as s:
            s.sendall(line.encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        reply = data.decode().strip()
        if not reply.startswith("+OK"):
            raise AssertionError(f"fault-server: {line!r} answered {reply!r}")
        return reply[3:].strip()

    def mode(self, name):
        self.command(f"mode {name}")

    def down(self):
        self.command("down")

    def up(self):
        self.command("up")

    def stats(self):
        words = self.command("stats").split()
        return {words[i]: int(words[i + 1]) for i in range(0, len(words), 2)}

    def accept_times(self):
        return [float(t) for t in self.command("accepts").split()]


@pytest.fixture
def fault_server(processes):
    """fault_server(mode="ok", size=None) starts a fault server for this test."""

    def start(mode="ok", size=None):
        return FaultServer(processes, mode, size)

    return start


# --------------------------------------------------------------------------
# Reading how connect attempts ended


def status_number(status, label, word):
    """The count after `word` on the status line starting with `label`."""
    for line in status_lines(status, label):
        match = re.search(rf"(?<![\w/-]){re.escape(word)}\s+(\d+(?:\.\d+)?[kMG]?)\b", line)
        if match:
            return parse_count(match.group(1))
    return 0


def connection_accounts(status):
    """attempts, open, dialing and the `ended` items of a status block or report."""
    ended = {}
    for line in status_lines(status, "ended"):
        for word, value in re.findall(r"([\w/]+)\s+(\d+(?:\.\d+)?[kMG]?)", line):
            ended[word] = parse_count(value)
    return {
        "attempts": status_number(status, "connections", "attempts"),
        "open": status_number(status, "connections", "open"),
        "dialing": status_number(status, "connections", "dialing"),
        "ended": ended,
    }


def assert_attempts_add_up(status):
    """attempts = open + dialing + ended, and `ended total` is the sum of its parts."""
    a = connection_accounts(status)
    parts = {k: v for k, v in a["ended"].items() if k != "total"}
    total = a["ended"].get("total", 0)
    assert total == sum(parts.values()), f"ended total {total} != sum of {parts}:\n{status}"
    assert a["attempts"] == a["open"] + a["dialing"] + total, f"attempts do not add up: {a}\n{status}"
    return a


# --------------------------------------------------------------------------
# Plans and modules written by a test


@pytest.fixture
def write_file(tmp_path):
    """write_file("dir/name", text) -> Path, under this test's tmp_path."""

    def write(relative, text):
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    return write


# A module for precise tests: every command is small and obvious.
PROBE_MODULE = r"""
local swarm = require("swarm")
local M = {}

function M.heartbeat(client, args)
  local reply = client:send_for_reply("heartbeat\r\n", swarm.reply_parser_crlf())
  if reply:sub(1, 13) ~= "+OK heartbeat" then
    error("unexpected reply to heartbeat: " .. reply)
  end
end

function M.close_connection(client, args)
  client:close_connection()
end

function M.explode(client, args)
  error("kaboom-marker")
end

return M
"""


# --------------------------------------------------------------------------
# The HTTP endpoint (--http)


class Http:
    """Requests to swarm's HTTP endpoint, over a new connection each."""

    def __init__(self, host, port):
        self.host = host
        self.port = port

    @property
    def url(self):
        return f"http://{hostport(self.host, self.port)}/"

    def request(self, method, path, body=None, headers=None, timeout=10.0):
        """(status, headers as a dict with lower-case names, body text)."""
        import http.client

        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            payload = json.dumps(body) if isinstance(body, (dict, list)) else body
            all_headers = {"Content-Type": "application/json"} if isinstance(body, (dict, list)) else {}
            all_headers.update(headers or {})
            connection.request(method, path, body=payload, headers=all_headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()

    def get_json(self, path):
        status, _, text = self.request("GET", path)
        assert status == 200, f"GET {path}: {status} {text}"
        return json.loads(text)

    def post(self, path, body=None):
        """(status, parsed JSON answer)."""
        status, _, text = self.request("POST", path, body)
        return status, json.loads(text)


def start_with_http(swarm, server, script, *extra, **kwargs):
    """swarm with --http on a free loopback port; returns (run, Http)."""
    port = free_port()
    run = swarm(server, script, "--http", f"127.0.0.1:{port}", *extra, **kwargs)
    run.process.wait_output(r"swarm: dashboard on http://127\.0\.0\.1:(\d+)/")
    return run, Http("127.0.0.1", port)


def interval_validator():
    """A validator of one interval record: the report schema's $defs/interval."""
    import jsonschema

    schema = json.loads(REPORT_SCHEMA.read_text())
    return jsonschema.Draft202012Validator({"$ref": "#/$defs/interval", "$defs": schema["$defs"]})
