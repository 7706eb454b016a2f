"""A real Prometheus (Debian's prometheus) scrapes swarm during a run against
redis-server; what it stores agrees with redis's own counts and with
swarm's own percentiles."""

import json
import math
import shutil
import time
import urllib.parse
import urllib.request

import pytest

from conftest import free_port, start_with_http, wait_until

SCRAPE_S = 1  # Prometheus's scrape interval in this test
# The fixed bounds of swarm's latency histograms (stats/metrics_text.hpp).
BOUNDS_S = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
            0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

PLAN = """
protocol: redis
actions:
  - command: PING
    rounds: 20
    sleep_between_rounds: 5ms
    sleep_after_action: 0
"""


class Prometheus:
    def __init__(self, start, tmp_path, target):
        binary = shutil.which("prometheus")
        if binary is None:
            pytest.fail("prometheus is missing (apt-get install prometheus; scripts/install-deps.sh --tests)")
        self.port = free_port()
        config = tmp_path / "prometheus.yml"
        config.write_text(
            f"global:\n  scrape_interval: {SCRAPE_S}s\n  scrape_timeout: {SCRAPE_S}s\n"
            f"scrape_configs:\n  - job_name: swarm\n    static_configs:\n      - targets: ['{target}']\n"
        )
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

    def last_scrape(self, metric):
        """(sum of every series' last sample, that scrape's Unix time)."""
        series = self.query(f"{metric}[10s]")
        assert series, f"no samples of {metric}"
        stamps = {float(s["values"][-1][0]) for s in series}
        assert len(stamps) == 1, f"series from different scrapes: {stamps}"
        return sum(float(s["values"][-1][1]) for s in series), stamps.pop()


def redis_pings(redis):
    return int(redis.info("commandstats").get("cmdstat_ping", "calls=0,").split("calls=")[1].split(",")[0])


def bucket_of(seconds):
    return next((i for i, bound in enumerate(BOUNDS_S) if seconds <= bound), len(BOUNDS_S))


def test_prometheus_agrees_with_redis_and_swarm(redis_server, swarm, processes, tmp_path, write_file):
    plan = write_file("ping.yml", PLAN)
    before = redis_pings(redis_server)  # the fixture's own PINGs
    run, http = start_with_http(swarm, redis_server.address, plan, "--interval", "1s", "--connections", 20)
    prometheus = Prometheus(processes, tmp_path, f"127.0.0.1:{http.port}")
    wait_until(lambda: prometheus.query("up"), 30, "Prometheus to scrape swarm",
               check=lambda r: r and r[0]["value"][1] == "1")
    wait_until(lambda: prometheus.query("sum(swarm_requests_total)"), 30, "requests in Prometheus",
               check=lambda r: r and float(r[0]["value"][1]) > 500)

    # Live: redis's count is Prometheus's last scrape plus the traffic since.
    first = (redis_pings(redis_server) - before, time.time())
    time.sleep(2)
    stored, scraped_at = prometheus.last_scrape("swarm_requests_total")
    pings, now = redis_pings(redis_server) - before, time.time()
    rate = (pings - first[0]) / (now - first[1])
    since = now - scraped_at
    assert 0 <= since <= SCRAPE_S + 1.5, f"the last scrape is {since:.2f}s old"
    # swarm counts a request when written, redis when executed: up to one
    # per connection may be in between.
    assert -20 <= pings - stored <= rate * (since + 0.25) + 20, (pings, stored, rate, since)

    # Latency: Prometheus's p99 from the buckets is within one bucket of
    # swarm's own p99 (since the start, both).
    quantile = prometheus.query(
        "histogram_quantile(0.99, sum by (le) (swarm_request_duration_seconds_bucket{command=\"PING\"}))")
    own = http.get_json("/api/live")["since_start"]["commands"][0]["latency"]["p99"] / 1e6
    theirs = float(quantile[0]["value"][1])
    assert math.isfinite(theirs), quantile
    assert abs(bucket_of(theirs) - bucket_of(own)) <= 1, (theirs, own)

    # Quiet: with every connection closed, the stored total is redis's exactly.
    assert http.post("/api/decr?n=20")[1]["ok"]
    wait_until(lambda: int(redis_server.info("clients")["connected_clients"]) - 1, 10, "swarm's clients to leave",
               check=lambda c: c == 0)
    settled = redis_pings(redis_server) - before
    stored = wait_until(lambda: prometheus.last_scrape("swarm_requests_total")[0], 15,
                        "Prometheus to store a count that no longer moves",
                        check=lambda v: v == prometheus.last_scrape("swarm_requests_total")[0] and
                        http.get_json("/api/live")["since_start"]["totals"]["requests"] == v)
    assert stored == settled, (stored, settled)
    ends = prometheus.query("sum by (end) (swarm_request_ends_total)")
    assert sum(float(e["value"][1]) for e in ends) == settled
    assert run.stop() == 0
