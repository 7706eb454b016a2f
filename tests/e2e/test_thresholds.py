"""Thresholds for CI: --threshold and a plan's thresholds:, judged at the end
(exit status 99 when one fails), live with abort, and rejected at load with
where they are wrong (exit status 2, nothing opened)."""

import re
import time

from conftest import PROTOCOLS, load_report

PING_PLAN = """\
protocol: redis
actions:
  - command: PING
    rounds: 1000
    sleep_between_rounds: 0
    sleep_after_action: 0
"""


def run_to_end(swarm, server, plan, *flags, timeout=30):
    run = swarm(server, plan, *flags, protocol_dir=PROTOCOLS, wait=False)
    status = run.process.wait_exit(timeout=timeout)
    return run, status


def test_passing_and_failing_thresholds(hold_server, swarm, write_file, tmp_path):
    server = hold_server("5ms")
    report_path = tmp_path / "report.json"
    run, status = run_to_end(
        swarm, server.address, write_file("ping.yml", PING_PLAN),
        "--connections", 4, "--duration", "1500ms", "--report", report_path,
        "--threshold", "p99(PING) < 1s",
        "--threshold", "p50(*) < 1ms",  # fails: every request is held 5 ms
        "--threshold", "errors(*) < 0.1%",
        "--threshold", "rate(replies) > 100",
        "--threshold", "open >= 4",
        "--threshold", "errors(timeout) == 0; warmup=500ms",
    )
    assert status == 99, run.process.stderr()
    report = load_report(report_path)
    verdicts = {t["expression"]: t for t in report["thresholds"]["list"]}
    assert [t["pass"] for t in report["thresholds"]["list"]] == [True, False, True, True, True, True]
    assert report["thresholds"]["passed"] is False and report["stop"]["exit_status"] == 99
    assert verdicts["p50(*) < 1ms"]["value"] >= 5000 and verdicts["p50(*) < 1ms"]["unit"] == "us"
    assert verdicts["open >= 4"]["value"] == 4, "open counts at the stop, not after it"
    assert verdicts["errors(*) < 0.1%"]["value"] == 0 and verdicts["errors(*) < 0.1%"]["unit"] == "ratio"
    assert verdicts["rate(replies) > 100"]["value"] > 100
    warm = verdicts["errors(timeout) == 0"]
    assert warm["warmup_s"] == 0.5 and warm["judged_s"] < report["duration_s"] - 0.4
    final = run.process.stdout()
    section = final[final.rfind("thresholds") :]
    assert re.search(r"^thresholds\s+5 passed\s+1 failed", section, re.M), section
    assert re.search(r"^\s+FAIL\s+p50\(\*\) < 1ms\s", section, re.M), section


def test_all_passing_exits_zero(hold_server, swarm, write_file):
    server = hold_server("1ms")
    run, status = run_to_end(
        swarm, server.address, write_file("ping.yml", PING_PLAN),
        "--connections", 2, "--duration", "1s", "--threshold", "p99(PING) < 2s", "--threshold", "replies > 10",
    )
    assert status == 0, run.process.stdout()[-2000:]
    assert re.search(r"^thresholds\s+2 passed\s+0 failed", run.process.stdout(), re.M)


def test_plan_thresholds_with_abort_stop_the_run_early(swarm, write_file, tmp_path):
    # Nothing listens: every connect is refused. The plan's threshold aborts
    # the run at its first live check instead of letting it go 60 s.
    plan = write_file("ping.yml", PING_PLAN + """\
thresholds:
  - {expr: "errors(refused) == 0", abort: true}
  - "p99(PING) < 1s"
""")
    report_path = tmp_path / "report.json"
    started = time.monotonic()
    run, status = run_to_end(
        swarm, "127.0.0.1:1", plan, "--connections", 2, "--duration", "60s", "--report", report_path, timeout=20,
    )
    assert status == 99, run.process.stdout()[-2000:]
    assert time.monotonic() - started < 10, "the abort did not stop the run"
    out = run.process.stdout()
    assert "swarm: threshold failed: errors(refused) == 0" in out and "aborting" in out, out[-2000:]
    report = load_report(report_path)
    first, second = report["thresholds"]["list"]
    assert first["aborted_run"] and not first["pass"] and first["value"] > 0
    assert first["source"] == f"{plan}:8:13", first["source"]
    assert second["value"] is None and second["shown"] == "no data" and not second["pass"]
    assert report["stop"]["reason"] == "threshold failed: errors(refused) == 0"


def expect_setup_error(run, pattern):
    status = run.process.wait_exit(timeout=10)
    err = run.process.stderr()
    assert status == 2, f"exit {status}\n{err}"
    assert re.search(pattern, err), err
    assert "console on" not in run.process.stdout(), "nothing should start after a bad threshold"


def test_bad_threshold_flag_names_the_column(swarm, write_file):
    plan = write_file("ping.yml", PING_PLAN)
    run = swarm("127.0.0.1:1", plan, "--threshold", "p99(PONG) < 5ms", protocol_dir=PROTOCOLS, wait=False)
    expect_setup_error(run, r"--threshold 'p99\(PONG\) < 5ms': column 5: unknown command 'PONG' \(the plan's commands: PING")
    run = swarm("127.0.0.1:1", plan, "--threshold", "p99(PING) < 5", protocol_dir=PROTOCOLS, wait=False)
    expect_setup_error(run, r"column 13: a latency needs a unit")


def test_bad_plan_threshold_names_file_line_and_column(swarm, write_file):
    plan = write_file("ping.yml", PING_PLAN + 'thresholds:\n  - p99(PING) < 5ms\n  - "rate(open) > 3"\n')
    run = swarm("127.0.0.1:1", plan, protocol_dir=PROTOCOLS, wait=False)
    expect_setup_error(run, re.escape(f"{plan}:9:11: thresholds: 'open' is a gauge"))
