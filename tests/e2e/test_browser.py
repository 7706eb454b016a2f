"""A real browser: Debian's headless chromium driven by playwright-core
(tests/browser, installed by scripts/install-deps.sh --tests) on the live
dashboard during a run against redis-server, and on the HTML report opened
from its file. Screenshots land in the test's directory; with
SWARM_UPDATE_SCREENSHOTS=1 they are also copied to docs/ for the README."""

import json
import os
import queue
import shutil
import subprocess
import threading
import time

import pytest

from conftest import SCRIPTS, SOURCE_DIR, start_with_http, wait_until

BROWSER_DIR = SOURCE_DIR / "tests" / "browser"


def node_and_chromium():
    node = shutil.which("node")
    if node is None or not shutil.which(os.environ.get("CHROMIUM", "/usr/bin/chromium")):
        pytest.fail("node and chromium are needed (scripts/install-deps.sh --tests)")
    if not (BROWSER_DIR / "node_modules" / "playwright-core").is_dir():
        # install-deps.sh fetches it from the npm registry and says so when it
        # cannot (no registry, an untrusted proxy): then these tests cannot run.
        pytest.skip(f"playwright-core is not installed in {BROWSER_DIR}: scripts/install-deps.sh --tests "
                    "could not fetch it from the npm registry")
    return node


class Driver:
    """A driver script of tests/browser: JSON lines out, commands in."""

    def __init__(self, node, script, *args):
        self.process = subprocess.Popen([node, str(BROWSER_DIR / script), *map(str, args)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        text=True, cwd=BROWSER_DIR)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def step(self, name, timeout=60):
        """The next step's fields; fails on an error or another step."""
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                pytest.fail(f"browser: no '{name}' within {timeout}s")
            if line is None:
                pytest.fail(f"browser driver ended before '{name}': {self.process.stderr.read()[-3000:]}")
            fields = json.loads(line)
            if fields["step"] == "pageerror":
                pytest.fail(f"the page raised: {fields['message']}")
            if fields["step"] == "error":
                pytest.fail(f"browser: {fields['message']}")
            assert fields["step"] == name, fields
            return fields

    def tell(self, line):
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=10)


def keep_screenshot(path, name):
    if os.environ.get("SWARM_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(path, SOURCE_DIR / "docs" / name)


def connected_clients(redis):
    return int(redis.info("clients")["connected_clients"]) - 1


def test_dashboard_in_a_browser(redis_server, swarm, tmp_path):
    node = node_and_chromium()
    run, http = start_with_http(swarm, redis_server.address, SCRIPTS / "redis.yml", "--interval", "500ms",
                                "--connections", 20)
    driver = Driver(node, "dashboard.js", http.url, tmp_path, 220)
    try:
        charts = driver.step("charts")
        assert charts["points"] > 0 and charts["intervals"] >= 2, charts
        assert all(p > 0 for p in charts["painted"]) and len(charts["painted"]) == 4, charts
        incr = driver.step("incr")
        assert "incr 200: OK" in incr["answer"], incr
        # From the server's side: redis sees the 20 and the 200.
        wait_until(lambda: connected_clients(redis_server), 20, "redis to see 220 clients",
                   check=lambda c: c == 220)
        wait_until(lambda: http.get_json("/api/status")["target"], 10, "the status to say 220",
                   check=lambda t: t == 220)
        opened = driver.step("open", timeout=60)
        assert opened["shown"] == "220" and opened["chart"][-1] == 220, opened
        shot = driver.step("screenshot")
        assert os.path.getsize(shot["path"]) > 20000
        keep_screenshot(shot["path"], "dashboard.png")
        rate = driver.step("rate")
        assert "OK rate 500/s" in rate["on"] and "OK rate off" in rate["off"], rate
        driver.tell("stop")
        stopped = driver.step("stopped")
        assert "stop: OK" in stopped["answer"] or "stopped" in stopped["answer"], stopped
        assert run.process.wait_exit() == 0
        assert "swarm: stopping: stop from the console" in run.process.stdout()
    finally:
        driver.close()
    assert not [u for u in stopped["failed"] if "/api/events" not in u], stopped["failed"]


def test_html_report_in_a_browser_offline(redis_server, swarm, tmp_path):
    node = node_and_chromium()
    page = tmp_path / "run.html"
    plan = tmp_path / "plan.yml"
    plan.write_text((SCRIPTS / "redis.yml").read_text() + "\n  - command: GET\n    args: {}\n    rounds: 1\n"
                    "    sleep_between_rounds: 0\n    sleep_after_action: 200ms\n")
    run = swarm(redis_server.address, plan, "--connections", 20, "--interval", "500ms", "--duration", "3s",
                "--html", page, wait=False)
    assert run.process.wait_exit(timeout=30) == 0, run.process.stderr()
    text = page.read_text()
    assert "src=\"http" not in text and "href=\"http" not in text
    driver = Driver(node, "report.js", page, tmp_path)
    try:
        report = driver.step("report")
        assert driver.process.wait(timeout=30) == 0
    finally:
        driver.close()
    assert report["points"] > 0 and all(p > 0 for p in report["painted"]) and len(report["painted"]) == 4, report
    # A distribution per command that replied, and @connect.
    assert len(report["distributions"]) == 5 and all(p > 0 for p in report["distributions"]), report
    for name in ("SET", "GET", "INCR", "PING", "@connect", "p99.99"):
        assert name in report["latencyTable"], report["latencyTable"]
    assert "GET needs args.key" in report["messages"], report["messages"]  # errors with messages
    assert "--html" in report["flags"]
    # Offline: the page asked for nothing but its own file.
    assert report["requests"] == [page.resolve().as_uri()], report["requests"]
    assert not report["errors"], report["errors"]
    keep_screenshot(report["screenshot"], "report.png")


def test_stat_html_on_the_console_writes_the_run_so_far(redis_server, swarm, tmp_path):
    node = node_and_chromium()
    page = tmp_path / "so far.html"
    run = swarm(redis_server.address, SCRIPTS / "redis.yml", "--connections", 10, "--interval", "300ms")
    with run.console() as console:
        console.greeting()
        wait_until(lambda: console.command("stat"), 10, "requests", check=lambda s: "replies" in s)
        wait_until(lambda: connected_clients(redis_server), 10, "10 clients", check=lambda c: c == 10)
        time.sleep(1)  # a few intervals to chart
        answer = console.command(f"stat html {page}")
        assert answer.strip() == f"OK: wrote {page}", answer
        assert "Error: cannot write" in console.command(f"stat html {tmp_path}/missing/dir/x.html")
    assert run.process.running()
    driver = Driver(node, "report.js", page, tmp_path)
    try:
        report = driver.step("report")
    finally:
        driver.close()
    assert report["points"] > 0 and report["requests"] == [page.resolve().as_uri()], report
    assert "still running (stat html)" in page.read_text()
    assert run.stop() == 0


@pytest.mark.bounds  # the page's agent table within a few intervals of the incr
def test_fleet_dashboard_lists_the_agents_in_a_browser(redis_server, swarm, processes, swarm_bin, tmp_path):
    from conftest import Http, free_port
    from test_control import PLAN, Agent, Controller

    node = node_and_chromium()
    plan = tmp_path / "ping.yml"
    plan.write_text(PLAN)
    agents = [Agent(swarm, redis_server.address, plan, f"127.0.0.{i}") for i in (31, 32, 33)]
    port = free_port()
    control = Controller(processes, swarm_bin, agents, "--http", f"127.0.0.1:{port}")
    control.wait_started()
    driver = Driver(node, "fleet.js", Http("127.0.0.1", port).url, tmp_path, 3)
    try:
        listed = driver.step("agents")
        for agent in agents:
            assert agent.address in listed["table"], listed
        incr = driver.step("incr")
        assert "10 + 10 + 10" in incr["answer"], incr
        opened = driver.step("open", timeout=60)
        assert opened["shown"] == "30", opened
        assert sorted(opened["shares"]) == [["10", "10"]] * 3, opened
        shot = driver.step("screenshot")
        assert os.path.getsize(shot["path"]) > 20000
        keep_screenshot(shot["path"], "fleet.png")
        assert driver.process.wait(timeout=30) == 0
    finally:
        driver.close()
    wait_until(lambda: connected_clients(redis_server), 20, "redis to see the fleet's 30", check=lambda c: c == 30)
    assert control.stop() == 0
