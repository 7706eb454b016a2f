"""A real Prometheus (Debian's) scrapes every agent of a fleet, found by
file-based service discovery as a Kubernetes pod list would be; its
sum(swarm_requests_total) over the agents is the controller's merged total
and redis's own count."""

import json
import re
import shutil
import urllib.parse
import urllib.request

import pytest

from conftest import Http, free_port, wait_until
from test_control import PLAN, Agent, Controller, redis_pings

SCRAPE_S = 1


class Prometheus:
    """Prometheus scraping the targets listed in a file_sd file."""

    def __init__(self, start, tmp_path, targets):
        binary = shutil.which("prometheus")
        if binary is None:
            pytest.fail("prometheus is missing (apt-get install prometheus; scripts/install-deps.sh)")
        self.port = free_port()
        (tmp_path / "agents.json").write_text(json.dumps([{"targets": targets, "labels": {"job": "swarm"}}]))
        config = tmp_path / "prometheus.yml"
        config.write_text(
            f"global:\n  scrape_interval: {SCRAPE_S}s\n  scrape_timeout: {SCRAPE_S}s\n"
            "scrape_configs:\n  - job_name: swarm-agents\n    file_sd_configs:\n"
            f"      - files: ['{tmp_path / 'agents.json'}']\n        refresh_interval: 1s\n")
        self.process = start([
            binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn",
        ], "prometheus")
        wait_until(self._ready, 30, "Prometheus to be ready")

    def _ready(self):
        if not self.process.running():
            pytest.fail(f"prometheus exited: {self.process.stderr()[-2000:]}")
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
            return r.status == 200

    def query(self, expr):
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        with urllib.request.urlopen(url, timeout=5) as r:
            answer = json.load(r)
        assert answer["status"] == "success", answer
        return answer["data"]["result"]

    def value(self, expr):
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None


def metric_sum(text, name):
    return sum(float(m.group(1)) for m in re.finditer(rf"^{name}{{[^}}]*}} (\S+)$", text, re.M))


def test_prometheus_sums_the_agents_to_the_controllers_total(
        swarm, redis_server, processes, swarm_bin, write_file, tmp_path):
    plan = write_file("ping.yml", PLAN)
    agents = [Agent(swarm, redis_server.address, plan, f"127.0.0.{i}") for i in (12, 13, 14)]
    before = redis_pings(redis_server)
    http_port = free_port()
    control = Controller(processes, swarm_bin, agents, "--http", f"127.0.0.1:{http_port}")
    control.wait_started()
    fleet = Http("127.0.0.1", http_port)
    listed = wait_until(lambda: fleet.get_json("/api/agents"), 10, "the controller to list its agents",
                        check=lambda a: len(a) == 3 and all(x["state"] == "up" for x in a))
    assert sorted(a["address"] for a in listed) == sorted(a.address for a in agents)
    assert agents[0].http.get_json("/api/agents") == []  # an agent alone has none
    prometheus = Prometheus(processes, tmp_path, [a.address for a in agents])
    wait_until(lambda: prometheus.value("count(up == 1)"), 30, "Prometheus to scrape the 3 agents",
               check=lambda v: v == 3)

    assert "OK incr: target 30 (was 0) over 3 agents: 10 + 10 + 10" in control.command("incr 30")
    wait_until(lambda: prometheus.value("sum(swarm_connections_open)"), 30, "30 open in Prometheus",
               check=lambda v: v == 30)
    wait_until(lambda: prometheus.value("sum(swarm_requests_total)"), 30, "requests in Prometheus",
               check=lambda v: v is not None and v > 200)

    # Quiet: every connection closed, then the totals stand still.
    assert "OK decr: target 0 (was 30)" in control.command("decr 30")
    wait_until(lambda: fleet.get_json("/api/snapshot")["totals"]["open"], 15, "the fleet to close all",
               check=lambda o: o == 0)

    def agreed():
        merged = fleet.get_json("/api/snapshot")["totals"]["requests"]
        summed = prometheus.value("sum(swarm_requests_total)")
        own = sum(a.snapshot()["totals"]["requests"] for a in agents)
        return merged, summed, own, redis_pings(redis_server) - before

    totals = wait_until(agreed, 20, "Prometheus, the controller, the agents and redis to agree",
                        check=lambda t: t[0] == t[1] == t[2] == t[3] > 0)
    # The controller's own /metrics is the fleet merged: the same total.
    _, _, text = fleet.request("GET", "/metrics")
    assert metric_sum(text, "swarm_requests_total") == totals[0]
    by_agent = prometheus.query("sum by (instance) (swarm_requests_total)")
    assert sorted(r["metric"]["instance"] for r in by_agent) == sorted(a.address for a in agents)
    assert control.stop() == 0
