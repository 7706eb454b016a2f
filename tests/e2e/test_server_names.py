"""A server given by a name with several addresses: swarm tries them in order.

Debian's /etc/hosts maps `localhost` to 127.0.0.1 and ::1, and the resolver
puts ::1 first. A server listening on 127.0.0.1 only must still get every
connection (as with curl or redis-benchmark), and swarm says which address it
uses and which refused. The test gives swarm its own /etc/hosts in a private
mount namespace, so the name's addresses are the same on every machine.
"""

import ctypes
import os
import re
import socket
import subprocess
import sys

import pytest

from conftest import error_counts, free_port, wait_until

HEARTBEAT_PLAN = "protocol: durian\nactions:\n  - command: heartbeat\n    sleep_between_rounds: 100ms\n"
NAME = "dualstack.swarm.test"


def can_use_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def private_hosts_file(path):
    """A preexec_fn: the child sees `path` as /etc/hosts, nobody else does."""

    def enter():
        libc = ctypes.CDLL(None, use_errno=True)
        CLONE_NEWNS, MS_REC, MS_PRIVATE, MS_BIND = 0x20000, 0x4000, 0x40000, 0x1000
        if libc.unshare(CLONE_NEWNS) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
        if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
            raise OSError(ctypes.get_errno(), "mount --make-rprivate /")
        if libc.mount(str(path).encode(), b"/etc/hosts", None, MS_BIND, None) != 0:
            raise OSError(ctypes.get_errno(), "mount --bind hosts /etc/hosts")

    return enter


def resolves_to(name, preexec_fn=None):
    """The addresses `name` resolves to, in order, as a child process sees
    them (None when the child cannot be started that way)."""
    code = (
        "import socket,sys\n"
        "try:\n"
        f"    print(' '.join(a[4][0] for a in socket.getaddrinfo({name!r}, 9, type=socket.SOCK_STREAM)))\n"
        "except OSError:\n"
        "    print()\n"
    )
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=10, preexec_fn=preexec_fn)
    except subprocess.SubprocessError:
        return None
    return done.stdout.split()


@pytest.fixture
def dual_name(tmp_path):
    """(name, preexec_fn): a host name that resolves to ::1 first, then
    127.0.0.1, for swarm started with that preexec_fn. Preferably a private
    /etc/hosts in a mount namespace of swarm's own; where that cannot be made
    (not root, or a chroot whose / is no mount point), Debian's own
    `localhost`, which is exactly such a name."""
    if not can_use_ipv6_loopback():
        pytest.skip("no IPv6 loopback on this machine")
    hosts = tmp_path / "hosts"
    hosts.write_text(f"127.0.0.1 localhost\n::1 {NAME}\n127.0.0.1 {NAME}\n")
    private = private_hosts_file(hosts)
    if os.geteuid() == 0 and resolves_to(NAME, private) == ["::1", "127.0.0.1"]:
        return NAME, private
    if resolves_to("localhost") == ["::1", "127.0.0.1"]:
        return "localhost", None
    pytest.skip("no name resolving to ::1 then 127.0.0.1: no private /etc/hosts, and localhost is not one")


def test_name_whose_first_address_refuses_falls_back_to_the_next(durian, swarm, write_file, dual_name):
    name, preexec_fn = dual_name
    server = durian(host="127.0.0.1")  # IPv4 only: [::1] refuses
    plan = write_file("plan.yml", HEARTBEAT_PLAN)
    run = swarm(f"{name}:{server.port}", plan, "--connections", 20, "--interval", "500ms", preexec_fn=preexec_fn)
    server.wait_connections(20, timeout=15)
    out = run.process.wait_output(rf"server {re.escape(name)}:{server.port}: .*using 127\.0\.0\.1:{server.port}")
    notice = out.group(0)
    assert f"[::1]:{server.port} (Connection refused)" in notice, notice
    # At start swarm names every address, in the order it tries them.
    assert f"server {name}:{server.port} ([::1]:{server.port}, 127.0.0.1:{server.port})" in run.process.stdout()
    # The fallback is not an error: the connections all came up.
    status = run.process.wait_output(r"(?s)swarm status.*?latency").group(0)
    assert error_counts(status).get("refused", 0) == 0, status
    assert run.stop() == 0
    # Said once, however many connections and workers found it.
    assert run.process.stdout().count("using 127.0.0.1") == 1


def test_name_whose_every_address_fails_is_one_clear_message(swarm, write_file, dual_name):
    name, preexec_fn = dual_name
    port = free_port()
    plan = write_file("plan.yml", HEARTBEAT_PLAN)
    run = swarm(f"{name}:{port}", plan, "--connections", 10, "--interval", "500ms", preexec_fn=preexec_fn)
    out = run.process.wait_output(rf"server {re.escape(name)}:{port}: no address accepts a connection: [^\n]*")
    line = out.group(0)
    assert f"[::1]:{port} (Connection refused)" in line, line
    assert f"127.0.0.1:{port} (Connection refused)" in line, line
    # Every attempt is counted, once, as refused.
    wait_until(
        lambda: error_counts(run.process.stdout()).get("refused", 0) >= 10,
        10,
        "refused connects counted",
    )
    assert run.stop() == 0
    assert run.process.stdout().count("no address accepts") == 1
