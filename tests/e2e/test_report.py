"""The numbers a run leaves behind: the JSON report (validated against
docs/report.schema.json), the .hgrm files, requests that reconcile with the
server's own counts, connect time and SYN retries."""

import re
import socket
import threading
import time

import pytest

from conftest import PROTOCOLS, load_report, percentile_from_buckets, wait_until

PING_PLAN = """\
protocol: redis
actions:
  - command: PING
    rounds: 1000
    sleep_between_rounds: 0
    sleep_after_action: 0
"""


def final_report(out):
    return out[out.rfind("swarm final report") :]


def test_report_reconciles_with_the_servers_count(hold_server, swarm, write_file, tmp_path):
    # Each request is held 300 ms: when --duration stops the run, every
    # connection has one in flight, and the report must say so exactly.
    server = hold_server("300ms")
    report_path = tmp_path / "report.json"
    run = swarm(
        server.address, write_file("ping.yml", PING_PLAN),
        "--connections", 20, "--duration", "2s", "--interval", "500ms", "--report", report_path,
        protocol_dir=PROTOCOLS, wait=False,
    )
    assert run.process.wait_exit(timeout=20) == 0, run.process.stderr()
    server.wait_idle()
    seen = server.stop()
    report = load_report(report_path)

    totals = report["totals"]
    assert totals["requests"] == seen["requests"], (totals, seen)
    # The server may have answered a request whose connection the stop was
    # already closing: never more than those in flight.
    assert totals["replies"] <= seen["replies"] <= totals["replies"] + totals["abandoned"], (totals, seen)
    assert totals["requests"] == (
        totals["replies"] + totals["no_reply"] + totals["failed"] + totals["abandoned"] + totals["in_flight"]
    ), totals
    assert totals["abandoned"] == 20, f"every connection had a request in flight at the stop: {totals}"
    assert totals["failed"] == 0 and totals["errors"] == 0, totals
    [ping] = report["commands"]
    assert ping["name"] == "PING" and ping["actions"] == [1]
    assert ping["requests"] == totals["requests"] and ping["abandoned"] == 20
    assert ping["bytes_out"] == 6 * ping["requests"], "PING\\r\\n is 6 bytes"
    assert ping["bytes_in"] == 7 * ping["replies"], "+PONG\\r\\n is 7 bytes"
    assert report["connections"]["open_at_stop"] == 20
    assert report["connections"]["established"] == 20
    assert report["connections"]["connect_time"]["count"] == 20
    assert report["stop"] == {"reason": "--duration reached", "exit_status": 0}
    assert len(report["intervals"]) >= 3, "one record per status block"
    assert sum(i["requests"] for i in report["intervals"]) <= totals["requests"]

    # The text says the same, in one line that adds up.
    line = re.search(r"^requests\s+(\d+) = replies (\d+) \+ no_reply (\d+) \+ failed (\d+) \+ in_flight (\d+)",
                     final_report(run.process.stdout()), re.M)
    assert line, run.process.stdout()
    assert [int(g) for g in line.groups()] == [totals["requests"], totals["replies"], 0, 0, 20]


def test_report_buckets_give_the_reported_percentiles(hold_server, swarm, write_file, tmp_path):
    server = hold_server("2ms")
    report_path = tmp_path / "report.json"
    run = swarm(
        server.address, write_file("ping.yml", PING_PLAN),
        "--connections", 5, "--duration", "1s", "--report", report_path, protocol_dir=PROTOCOLS, wait=False,
    )
    assert run.process.wait_exit(timeout=20) == 0, run.process.stderr()
    report = load_report(report_path)
    for latency in (report["commands"][0]["latency"], report["connections"]["connect_time"]):
        buckets = latency["histogram"]["buckets"]
        assert sum(b[2] for b in buckets) == latency["count"] > 0
        assert latency["mean"] == pytest.approx(latency["sum"] / latency["count"])
        for name, p in (("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9), ("p99.99", 99.99)):
            assert percentile_from_buckets(buckets, latency["min"], latency["max"], p) == latency[name], name
    # Merging two reports is adding counts bucket by bucket; a merge with
    # itself doubles every count and keeps every percentile.
    latency = report["commands"][0]["latency"]
    doubled = [[lo, hi, 2 * n] for lo, hi, n in latency["histogram"]["buckets"]]
    assert percentile_from_buckets(doubled, latency["min"], latency["max"], 99) == latency["p99"]


def test_latency_is_never_below_the_servers_hold(hold_server, swarm, write_file, tmp_path):
    # A reply cannot arrive before the server sends it: swarm's latency of a
    # request is at least the server's hold of it (a clock mixed up would
    # break this), and on an idle loopback not much more.
    server = hold_server("20ms")
    report_path = tmp_path / "report.json"
    run = swarm(
        server.address, write_file("ping.yml", PING_PLAN),
        "--connections", 10, "--duration", "2s", "--report", report_path, protocol_dir=PROTOCOLS, wait=False,
    )
    assert run.process.wait_exit(timeout=20) == 0, run.process.stderr()
    server.wait_idle()
    held = server.stop()["hold_us"]
    latency = load_report(report_path)["commands"][0]["latency"]
    error = 1 / 256  # the histogram's bound (a bucket's midpoint)
    assert latency["p50"] >= held["p50"] * (1 - error) - 1, (latency, held)
    assert latency["min"] >= 20_000 * (1 - error), latency
    assert latency["p50"] <= held["p50"] + 5_000, f"swarm adds far more than loopback does: {latency} vs {held}"


def test_hdr_files_for_every_command_and_connect(hold_server, swarm, write_file, tmp_path):
    server = hold_server("1ms")
    directory = tmp_path / "hdr"
    run = swarm(
        server.address, write_file("ping.yml", PING_PLAN),
        "--connections", 3, "--duration", "1s", "--hdr-dir", directory, "--report", tmp_path / "r.json",
        protocol_dir=PROTOCOLS, wait=False,
    )
    assert run.process.wait_exit(timeout=20) == 0, run.process.stderr()
    report = load_report(tmp_path / "r.json")
    assert sorted(p.name for p in directory.iterdir()) == ["@connect.hgrm", "PING.hgrm"]
    text = (directory / "PING.hgrm").read_text()
    lines = text.splitlines()
    assert lines[0].split() == ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"] and lines[1] == ""
    rows = [line.split() for line in lines[2:] if line and not line.startswith("#")]
    values = [float(r[0]) for r in rows]
    percentiles = [float(r[1]) for r in rows]
    counts = [int(r[2]) for r in rows]
    assert percentiles[0] == 0.0 and percentiles[-1] == 1.0 and rows[-1][3] == "inf", text
    assert values == sorted(values) and percentiles == sorted(percentiles) and counts == sorted(counts), text
    replies = report["commands"][0]["replies"]
    assert counts[-1] == replies, (replies, text)
    assert f"Total count    = {replies:12d}]" in text, (replies, text)
    assert values[0] >= 1.0, f"values are in milliseconds; the server holds 1 ms:\n{text}"


class BacklogServer:
    """Listens with a backlog of 0 and accepts nothing for `delay` seconds:
    connects beyond the first get their SYN dropped and retransmitted, as
    against a server whose listen queue overflows. Then answers every line
    with +OK heartbeat."""

    def __init__(self, delay):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(0)
        self.port = self.listener.getsockname()[1]
        self.delay = delay
        self.closing = threading.Event()
        self.clients = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        if self.closing.wait(self.delay):
            return
        self.listener.settimeout(0.1)
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            self.clients.append(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

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
                return
            client.sendall(b"+OK heartbeat\r\n" * data.count(b"\n"))

    def close(self):
        self.closing.set()
        self.thread.join(timeout=2)
        self.listener.close()
        for client in self.clients:
            client.close()


@pytest.fixture
def backlog_server():
    servers = []

    def start(delay):
        server = BacklogServer(delay)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def test_syn_retransmissions_are_counted_with_a_hint(backlog_server, swarm, write_file, tmp_path):
    server = backlog_server(delay=1.5)
    write_file("modules/probe.lua", """
local swarm = require("swarm")
local M = {}
function M.heartbeat(client, args)
  client:send_for_reply("heartbeat\\r\\n", swarm.reply_parser_crlf())
end
return M
""")
    plan = write_file("plan.yml", "protocol: probe\nactions:\n  - command: heartbeat\n    sleep_after_action: 100ms\n")
    report_path = tmp_path / "report.json"
    run = swarm(
        f"127.0.0.1:{server.port}", plan, "--connections", 4, "--connect-rate", 0, "--interval", "500ms",
        "--report", report_path, protocol_dir=tmp_path / "modules",
    )
    with run.console() as console:
        console.greeting()
        stat = wait_until(lambda: console.command("stat"), 15, "every connection to be established",
                          check=lambda s: re.search(r"established 4\b", s))
    assert run.stop() == 0
    report = load_report(report_path)
    connections = report["connections"]
    assert connections["established"] == 4
    assert connections["syn_retries"] >= 2, connections
    assert connections["connect_time"]["max"] >= 1_000_000, "a retransmitted SYN costs a second"
    out = run.process.stdout()
    assert re.search(r"^syn retries .*listen backlog", final_report(out), re.M), final_report(out)
    assert "syn retries" in stat and "somaxconn" in stat, stat
    assert re.search(r"^\s+@connect\s", stat, re.M), f"no connect time row:\n{stat}"
