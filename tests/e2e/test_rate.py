"""Rate mode (--rate, a plan's rate:, the console's `rate R`): calls at fixed
due times, latency from the due time beside the service time, a stalled
server's backlog shown instead of hidden (coordinated omission), and the
server's own count matching the rate asked for."""

import os
import re
import signal
import time

import pytest

from conftest import PROTOCOLS, interval_validator, load_report, start_with_http, wait_until

RATE = 200  # calls per second, all connections together
CONNECTIONS = 10  # so one call every 50 ms per connection

# The same plan for both runs: closed, each connection sleeps 50 ms after
# each PING (about RATE in all); with --rate the sleeps are not used.
PING_PLAN = """\
protocol: redis
actions:
  - command: PING
    rounds: 1
    sleep_between_rounds: 0
    sleep_after_action: 50ms
"""

SLOW_PLAN = """\
protocol: redis
actions:
  - command: PING
    rounds: 1
    sleep_between_rounds: 0
    sleep_after_action: 10s
"""


def final_report(out):
    return out[out.rfind("swarm final report") :]


def last_line(reply):
    lines = [line for line in reply.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def test_a_stalled_server_shows_in_rate_mode_and_hides_in_a_closed_loop(hold_server, swarm, write_file, tmp_path):
    # Two runs of the same plan side by side, 10 s each, each against its own
    # server, both servers stopped (SIGSTOP) for 1 s in the middle.
    plan = write_file("ping.yml", PING_PLAN)
    servers = {"rate": hold_server("1ms"), "closed": hold_server("1ms")}
    runs = {}
    for mode, server in servers.items():
        extra = ["--rate", RATE] if mode == "rate" else []
        runs[mode] = swarm(
            server.address, plan, "--connections", CONNECTIONS, "--duration", "10s", "--interval", "1s",
            "--threads", 1, "--report", tmp_path / f"{mode}.json", "--hdr-dir", tmp_path / f"hdr-{mode}",
            "--threshold", "service_p99(PING) < 200ms", "--threshold", "p99(PING) < 200ms", *extra,
            protocol_dir=PROTOCOLS, wait=False,
        )
    rate_out = runs["rate"].process
    rate_out.wait_output(r"swarm: rate 200/s: command calls in all, each at a fixed due time")
    # The middle of the run: the status block at 4 s.
    rate_out.wait_output(r"elapsed 4\.\d+s", timeout=20)
    for server in servers.values():
        os.kill(server.process.pid, signal.SIGSTOP)
    try:
        time.sleep(1.0)  # the stall itself, not a wait for a condition
    finally:
        for server in servers.values():
            os.kill(server.process.pid, signal.SIGCONT)

    reports = {}
    for mode, run in runs.items():
        # Thresholds: the service time passes, the latency from the due time
        # fails in rate mode (exit 99); in the closed loop both pass.
        status = run.process.wait_exit(timeout=30)
        assert status == (99 if mode == "rate" else 0), (mode, status, run.process.stdout()[-3000:])
        reports[mode] = load_report(tmp_path / f"{mode}.json")
    counts = {}
    for mode, server in servers.items():
        server.wait_idle()
        counts[mode] = server.stop()

    rate, closed = reports["rate"], reports["closed"]
    [ping] = rate["commands"]
    [closed_ping] = closed["commands"]
    intended, service = ping["intended_latency"], ping["latency"]
    figures = (
        f"rate: intended p50 {intended['p50']} p90 {intended['p90']} p99 {intended['p99']} max {intended['max']} us; "
        f"service p50 {service['p50']} p99 {service['p99']} max {service['max']} us; "
        f"closed: p50 {closed_ping['latency']['p50']} p99 {closed_ping['latency']['p99']} "
        f"max {closed_ping['latency']['max']} us; server counts {counts}"
    )
    print(figures)
    # Rate mode: the calls due during the stall waited for it; their latency
    # runs from when they were due, up to the whole second.
    assert intended["p99"] >= 500_000, figures
    assert intended["max"] >= 900_000, figures
    # Every call due during the stall went out after it, none skipped: about
    # RATE of them (a second's worth) waited 100 ms or more.
    waited = sum(n for lowest, _, n in intended["histogram"]["buckets"] if lowest >= 100_000)
    assert 0.6 * RATE <= waited <= 1.2 * RATE, figures
    # The service time (from the send) saw one slow request per connection.
    assert service["p99"] < 200_000, figures
    slow = sum(n for lowest, _, n in service["histogram"]["buckets"] if lowest >= 500_000)
    assert slow <= 2 * CONNECTIONS, figures
    # The closed loop: the stall is there (its max) but its p99 hides it,
    # as it sent nothing new while the server stood still.
    assert closed_ping["latency"]["max"] >= 900_000, figures
    assert closed_ping["latency"]["p99"] < 200_000, figures
    assert closed_ping["latency"]["p99"] * 5 < intended["p99"], figures

    # The server's own count matches the rate asked for: RATE per second of
    # the run (the first calls start within one period, and a call may be in
    # flight at the stop), whatever the stall.
    expected = RATE * rate["totals"]["rate"]["seconds"]
    assert abs(counts["rate"]["requests"] - expected) <= 0.03 * expected + CONNECTIONS, (expected, figures)
    assert counts["rate"]["requests"] == rate["totals"]["requests"], figures
    assert rate["totals"]["rate"]["target"] == RATE
    assert rate["totals"]["rate"]["scheduled_calls"] == ping["calls"] == ping["scheduled_calls"]
    assert rate["totals"]["rate"]["achieved"] == pytest.approx(RATE, rel=0.03)
    assert rate["totals"]["rate"]["changes"] == [{"at_s": 0.0, "target": RATE}]
    assert intended["count"] == service["count"] == ping["replies"]
    assert intended["p50"] >= service["p50"], figures
    # Each interval says its target and what it achieved; the one with the
    # stall achieved less, the one after it caught up with more.
    achieved = [i["rate"]["achieved"] for i in rate["intervals"]]
    assert all(i["rate"]["target"] == RATE for i in rate["intervals"])
    assert min(achieved) < 0.7 * RATE < 1.3 * RATE < max(achieved), achieved
    assert all("intended_latency" in c for i in rate["intervals"] for c in i["commands"])
    # A closed run has no rate object and one latency view.
    assert "rate" not in closed["totals"] and "intended_latency" not in closed_ping

    verdicts = {t["expression"]: t["pass"] for t in rate["thresholds"]["list"]}
    assert verdicts == {"service_p99(PING) < 200ms": True, "p99(PING) < 200ms": False}, rate["thresholds"]
    assert sorted(p.name for p in (tmp_path / "hdr-rate").iterdir()) == [
        "@connect.hgrm", "PING.hgrm", "PING.intended.hgrm"]
    assert sorted(p.name for p in (tmp_path / "hdr-closed").iterdir()) == ["@connect.hgrm", "PING.hgrm"]

    # The text report: target and achieved, and both views of PING.
    text = final_report(rate_out.stdout())
    assert re.search(r"^rate\s+target 200/s\s+\(20\.0/s per connection over 10\)\s+achieved (19\d|20\d)/s "
                     r"over 10\.\ds with a target\s+scheduled calls \d+(\s+behind \d+ calls?)?$", text, re.M), text
    assert re.search(r"^  PING\s+\d+", text, re.M) and re.search(r"^    service\s+\S+", text, re.M), text
    status = rate_out.stdout()
    assert re.search(r"^rate\s+target 200/s .* achieved \S+/s \(last 1\.0s\)", status, re.M), status[:3000]
    assert "from the due time, service: from the send" in status


def test_rate_from_the_console_and_back_to_the_plans_sleeps(hold_server, swarm, write_file, tmp_path):
    # The plan sleeps 10 s between calls: without a rate, 5 connections call
    # about once each in the first seconds.
    server = hold_server("1ms")
    run = swarm(server.address, write_file("slow.yml", SLOW_PLAN), "--connections", 5, "--interval", "500ms",
                "--report", tmp_path / "r.json")
    wait_until(server.stats, 10, "the first calls", check=lambda s: s["requests"] >= 5)
    with run.console() as console:
        console.greeting()
        reply = console.command("rate 500")
        assert last_line(reply).startswith("OK rate 500/s: command calls in all"), reply
        assert "(100/s per connection over 5) (was off)" in reply, reply
        # Values no door may set: a clear word, and nothing changes.
        for value, words in (("-5", "rate -5 is negative"), ("nan", "must be a number"),
                             ("1e12", "is more than 100000000 calls per second"),
                             ("0.0000001", "is below 0.001 calls per second"), ("inf", "is more than")):
            answer = last_line(console.command(f"rate {value}"))
            assert answer.startswith("Invalid rate: ") and words in answer, (value, answer)
        assert last_line(console.command("rate fast")).startswith("Invalid Command: 'rate' needs calls per second")
        # The server sees 500 calls per second.
        start = server.stats()["requests"]
        began = time.monotonic()
        now = wait_until(server.stats, 10, "500 more calls", check=lambda s: s["requests"] >= start + 500)
        seconds = time.monotonic() - began
        assert now["requests"] - start <= 500 * seconds * 1.3 + 20, (now, start, seconds)
        stat = console.command("stat")
        assert re.search(r"^rate\s+target 500/s\s+\(100/s per connection over 5\)", stat, re.M), stat
        # incr keeps the total: 10 connections at 50/s each.
        assert last_line(console.command("incr 5")) == "OK"
        stat = console.command("stat")
        assert re.search(r"^rate\s+target 500/s\s+\(50\.0/s per connection over 10\)", stat, re.M), stat
        # Off: the plan's 10 s sleeps pace the calls again.
        reply = console.command("rate off")
        assert last_line(reply) == "OK rate off: the plan's sleeps pace the calls (was 500/s)", reply
        # At most one more call per connection (woken from its due time),
        # then each sleeps 10 s; 500/s would send 250 in this half second.
        after = server.stats()["requests"]
        time.sleep(0.5)
        assert server.stats()["requests"] - after <= 10
    assert run.stop() == 0
    out = run.process.stdout()
    assert "swarm: rate 500/s: command calls in all" in out and "swarm: rate off:" in out, out[-2000:]
    report = load_report(tmp_path / "r.json")
    targets = [c["target"] for c in report["totals"]["rate"]["changes"]]
    assert targets == [500, 0], report["totals"]["rate"]
    assert report["totals"]["rate"]["target"] == 0
    [ping] = report["commands"]
    assert 0 < ping["scheduled_calls"] < ping["calls"]


def test_rate_over_http_calls_the_same_controller_method(hold_server, swarm, write_file):
    server = hold_server("1ms")
    run, http = start_with_http(swarm, server.address, write_file("slow.yml", SLOW_PLAN),
                                "--connections", 4, "--interval", "300ms")
    code, answer = http.post("/api/rate?r=400")
    assert (code, answer["ok"], answer["command"]) == (200, True, "rate"), answer
    assert answer["reply"].startswith("OK rate 400/s: command calls in all"), answer
    start = server.stats()["requests"]
    wait_until(server.stats, 10, "400 calls a second", check=lambda s: s["requests"] >= start + 400)
    validator = interval_validator()
    status = wait_until(lambda: http.get_json("/api/status"), 10, "an interval with the rate",
                        check=lambda s: s.get("rate", {}).get("target") == 400 and s["rate"]["achieved"] > 0)
    assert not list(validator.iter_errors(status)), list(validator.iter_errors(status))[:3]
    assert "intended_latency" in status["commands"][0]
    code, _, metrics = http.request("GET", "/metrics")
    assert code == 200 and "\nswarm_rate_target 400\n" in metrics, metrics[:2000]
    assert 'swarm_request_intended_duration_seconds_count{command="PING"}' in metrics
    # The same checks and words as the console.
    code, answer = http.post("/api/rate", {"r": -1})
    assert code == 409 and answer["error"] == "Invalid rate: rate -1 is negative (0 or off: no rate)", answer
    code, answer = http.post("/api/rate", {"r": "fast"})
    assert code == 400 and "'rate' needs calls per second" in answer["error"], answer
    code, answer = http.post("/api/rate?r=off")
    assert (code, answer["reply"]) == (200, "OK rate off: the plan's sleeps pace the calls (was 400/s)"), answer
    assert http.request("GET", "/api/rate?r=1")[0] == 405
    code, answer = http.post("/api/stop")
    assert code == 200 and run.process.wait_exit() == 0


def test_the_plans_rate_and_the_flag_that_overrides_it(hold_server, swarm, write_file, tmp_path):
    server = hold_server("1ms")
    plan = write_file("rated.yml", "rate: 100/s\n" + SLOW_PLAN)
    run = swarm(server.address, plan, "--connections", 4, "--duration", "2s", "--report", tmp_path / "a.json",
                wait=False)
    assert run.process.wait_exit(timeout=20) == 0, run.process.stderr()
    report = load_report(tmp_path / "a.json")
    assert report["totals"]["rate"]["target"] == 100
    assert report["totals"]["requests"] >= 150, "the plan's 10 s sleeps were used"
    assert "rate 100/s: command calls in all" in run.process.stdout()

    run = swarm(server.address, plan, "--connections", 4, "--duration", "1s", "--rate", 0,
                "--report", tmp_path / "b.json", wait=False)
    assert run.process.wait_exit(timeout=20) == 0, run.process.stderr()
    out = run.process.stdout()
    assert re.search(r"--rate 0 overrides the plan's rate: 100 \(\S*rated\.yml:1:7\)", out), out
    report = load_report(tmp_path / "b.json")
    assert "rate" not in report["totals"] and report["totals"]["requests"] == 4, report["totals"]


@pytest.mark.parametrize(
    "text, where, words",
    [
        ("rate: fast\n", "1:7", "rate: expected calls per second, all connections together"),
        ("rate: -3\n", "1:7", "rate -3 is negative"),
        ("rate: 1e9\n", "1:7", "is more than 100000000 calls per second"),
    ],
)
def test_a_bad_rate_in_the_plan_says_where(swarm_bin, write_file, text, where, words):
    import subprocess

    plan = write_file("bad.yml", text + SLOW_PLAN)
    done = subprocess.run(
        [swarm_bin, "--server", "127.0.0.1:1", "--script", plan, "--protocol-dir", PROTOCOLS],
        capture_output=True, text=True, timeout=20,
    )
    assert done.returncode == 2, done
    assert f"bad.yml:{where}: " in done.stderr and words in done.stderr, done.stderr


def test_a_bad_rate_flag_exits_2(swarm_bin, write_file):
    import subprocess

    plan = write_file("plan.yml", SLOW_PLAN)
    for value, words in (("-1", "is negative"), ("abc", "expected calls per second"), ("1e9", "is more than")):
        done = subprocess.run(
            [swarm_bin, "--server", "127.0.0.1:1", "--script", plan, "--protocol-dir", PROTOCOLS, "--rate", value],
            capture_output=True, text=True, timeout=20,
        )
        assert done.returncode == 2 and words in done.stderr, (value, done)
