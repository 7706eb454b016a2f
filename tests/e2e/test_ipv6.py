"""IPv6 addresses work for the server under test and for the console."""

import pytest

from conftest import ipv6_loopback_available, wait_until

PLAN = """\
protocol: durian
actions:
  - command: heartbeat
    sleep_between_rounds: 100ms
    sleep_after_action: 0
"""


@pytest.mark.skipif(not ipv6_loopback_available(), reason="::1 is not available on this machine")
def test_ipv6_server_and_console(durian, swarm, write_file):
    server = durian(host="::1")
    assert server.address.startswith("[::1]:")
    plan = write_file("plan.yml", PLAN)
    run = swarm(server.address, plan, "--connections", "10", "--interval", "500ms", console_host="::1")
    server.wait_connections(10)
    with run.console() as console:
        console.greeting()
        assert "OK" in console.command("incr 5")
        server.wait_connections(15)
        before = server.stats().requests
        wait_until(server.stats, 10, "heartbeats over IPv6", check=lambda s: s.requests >= before + 15)
    assert run.stop() == 0
    server.wait_connections(0, timeout=5)
