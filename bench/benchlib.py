"""Shared helpers for swarm's benchmarks: real processes on loopback, measured
from outside (the server's own counters, /proc, getrusage). Standard library
only. Every wait has a deadline; every process started here is ended by PID."""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWARM = os.environ.get("SWARM_BIN", os.path.join(ROOT, "build-bench", "swarm"))


def ensure_built(*extra_targets):
    """Builds swarm (Release, in build-bench/) unless SWARM_BIN names one, and
    `extra_targets` (e.g. hold-server) next to it."""
    build = os.path.join(ROOT, "build-bench")
    targets = list(extra_targets)
    if "SWARM_BIN" not in os.environ:
        targets += ["swarm", "redis_native"]
    if not targets:
        return
    subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                    "-DSWARM_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", build, "-j", str(os.cpu_count() or 2), "--target", *targets],
                   check=True, stdout=subprocess.DEVNULL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(0.05)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def run_measured(command, redis):
    """Runs `command` to completion; returns (client CPU seconds, requests the
    redis-server counted, wall seconds)."""
    before = redis.commands()
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{command[0]} exited with {process.returncode}")
    requests = redis.commands() - before - 1  # less our own INFO
    return usage.ru_utime + usage.ru_stime, requests, wall


def rss_anon_bytes(pid):
    """Anonymous resident memory (heap, stacks): the process's own memory,
    without the shared binary and libraries."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no RssAnon for {pid}")


def cpu_seconds(pid):
    """User + system CPU seconds of a running process, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


class Redis:
    """A redis-server of our own on 127.0.0.1, and a client to read INFO.
    With `tls` (a Certificates of tlsbench.py), it also listens with TLS on
    tls_port; INFO stays on the plain port."""

    def __init__(self, maxclients=10000, tls=None):
        if not shutil.which("redis-server"):
            sys.exit("redis-server is not installed (apt-get install -y redis-server)")
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="swarm-bench-redis-")
        tls_args = []
        if tls is not None:
            self.tls_port = free_port()
            tls_args = ["--tls-port", str(self.tls_port), "--tls-cert-file", tls.path("server.pem"),
                        "--tls-key-file", tls.path("server.key"), "--tls-ca-cert-file",
                        tls.path("ca.pem"), "--tls-auth-clients", "no"]
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--maxclients", str(maxclients),
             "--protected-mode", "no",  # bound to 127.0.0.1 only; lets 127.0.0.x sources in
             "--dir", self.dir, "--logfile", os.path.join(self.dir, "log"), *tls_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.sock = wait_until(self._connect, 10, "redis-server to accept")

    def _connect(self):
        try:
            return socket.create_connection(("127.0.0.1", self.port), timeout=60)
        except OSError:
            return None

    def info(self):
        self.sock.sendall(b"INFO\r\n")
        data = b""
        while True:
            data += self.sock.recv(65536)
            header, _, rest = data.partition(b"\r\n")
            if header.startswith(b"$") and len(rest) >= int(header[1:]) + 2:
                body = rest[: int(header[1:])].decode()
                return dict(line.split(":", 1) for line in body.splitlines() if ":" in line)

    def clients(self):
        return int(self.info()["connected_clients"]) - 1  # less our own

    def commands(self):
        return int(self.info()["total_commands_processed"])

    def close(self):
        self.sock.close()
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


class Console:
    """swarm's console, as a person would use it with nc."""

    def __init__(self, port):
        self.sock = wait_until(lambda: self._connect(port), 10, "swarm's console")
        self.read_until(b"Help")

    @staticmethod
    def _connect(port):
        try:
            return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            return None

    def read_until(self, marker):
        data = b""
        while marker not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.decode(errors="replace")

    def command(self, line, until=b"OK"):
        self.sock.sendall(line.encode() + b"\r\n")
        return self.read_until(until)

    def stat(self):
        self.sock.sendall(b"stat\r\ndecr 0\r\n")  # the bad decr marks the end
        return self.read_until(b"Invalid Command")


def write_plan(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, "w") as plan:
        plan.write(text)
    return path


def start_swarm(server_port, plan, protocol_dir, *extra):
    console = free_port()
    process = subprocess.Popen(
        [SWARM, "--listen", f"127.0.0.1:{console}", "--server", f"127.0.0.1:{server_port}",
         "--script", plan, "--protocol-dir", protocol_dir, "--interval", "1h", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return process, console


def stop(process, timeout=30):
    if process.poll() is None:
        process.send_signal(2)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def table(rows):
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(str(cell).rjust(width) for cell, width in zip(row, widths)))


def memory_line(stat_text):
    match = re.search(r"^memory .*$", stat_text, re.M)
    return match.group(0) if match else "(no memory line)"
