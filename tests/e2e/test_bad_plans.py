"""Broken plans never crash or hang swarm: each one, from the corpus in
tests/plans/broken/, gets one `file:line:col` message and exit status 2,
within a second and in bounded memory, before any connection is made. And a
large but valid plan costs little."""

import re
import pytest

from conftest import PROTOCOLS, SANITIZER, SOURCE_DIR, free_port, run_to_exit

CORPUS = SOURCE_DIR / "tests" / "plans" / "broken"

# file -> what the message says after `path:line:col: `
EXPECTED = {
    "empty.yml": (1, 1, r"the plan is empty"),
    "comment_only.yml": (1, 1, r"the plan is empty"),
    "not_a_mapping_list.yml": (1, 1, r"expected a map with 'protocol' and 'actions' at the top level, got a list"),
    "not_a_mapping_scalar.yml": (1, 1, r"expected a map .* got 'durian'"),
    "duplicate_top_key.yml": (2, 1, r"duplicate key 'protocol' at the top level \(first at 1:1\)"),
    "duplicate_action_key.yml": (5, 5, r"duplicate key 'rounds' in action 1 \(first at 4:5\)"),
    "duplicate_args_key.yml": (4, 20, r"args: duplicate key 'uid' \(first at 4:12\)"),
    "alias_bomb_args.yml": (10, 46, r"the plan expands to more than 500000 nodes \(aliases included\)"),
    "alias_bomb_top.yml": (6, 40, r"the plan expands to more than 500000 nodes"),
    "deep_nesting.yml": (5, 70, r"lists and maps nested deeper than 64 levels"),
    "deep_maps.yml": (5, 250, r"lists and maps nested deeper than 64 levels"),
    "rounds_absurd.yml": (4, 13, r"rounds: at most 1000000000000000 \(1e15\) per iteration, got '1e18'"),
    "rounds_negative.yml": (4, 13, r"rounds: expected a whole number >= 0 or \[lo, hi\], got '-1'"),
    "rounds_nan.yml": (4, 13, r"rounds: expected a whole number >= 0 .* got '\.nan'"),
    "rounds_infinite.yml": (4, 13, r"rounds: expected a whole number >= 0 .* got '\.inf'"),
    "rounds_fraction.yml": (4, 13, r"rounds: expected a whole number >= 0 .* got '2\.5'"),
    "sleep_absurd.yml": (4, 29, r"sleep_after_action: at most 8760h \(a year\), got '1e9'"),
    "sleep_negative.yml": (4, 27, r"sleep_between_rounds: expected a duration >= 0 .* got '-1'"),
    "sleep_nan.yml": (4, 25, r"sleep_after_action: expected a duration >= 0 .* got '\.nan'"),
    "rounds_zero_no_sleep.yml": (3, 14, r"every action has rounds 0 and sleep_after_action 0: each connection would spin"),
    "yaml_syntax.yml": (5, 1, r"invalid YAML: end of sequence flow not found"),
    "tab_indent.yml": (3, 2, r"invalid YAML"),
    "second_document.yml": (5, 1, r"a second YAML document"),
    "binary_garbage.yml": (1, None, r"invalid YAML"),
    # Found by the fuzzer: yaml-cpp 0.7 loops for ever on it (its issue #1040).
    "stray_comma.yml": (1, 1, r"invalid YAML: unexpected ','"),
}

SECONDS = 1.0 if not SANITIZER else 5.0  # a broken plan is told at once
MAX_RSS = (200 if not SANITIZER else 1024) << 20  # and costs little memory


def swarm_args(swarm_bin, plan, *extra):
    # Port 1 on loopback: nothing listens, and nothing must be tried.
    return [swarm_bin, "-r", "127.0.0.1:1", "-s", plan, "-p", PROTOCOLS, "-l", f"127.0.0.1:{free_port()}", *extra]


def test_the_corpus_is_complete():
    on_disk = {p.name for p in CORPUS.glob("*.yml")}
    assert on_disk == set(EXPECTED), f"corpus and expectations differ: {on_disk ^ set(EXPECTED)}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_plan_is_refused_quickly_with_its_place(name, swarm_bin):
    line, column, message = EXPECTED[name]
    plan = CORPUS / name
    run = run_to_exit(swarm_args(swarm_bin, plan), timeout=30)
    assert run.status == 2, f"exit {run.status}\nstderr:\n{run.stderr}\nstdout:\n{run.stdout}"
    where = rf"{line}:{column}" if column else rf"{line}:\d+"
    pattern = rf"^swarm: {re.escape(str(plan))}:{where}: {message}"
    assert re.search(pattern, run.stderr, re.M), f"stderr does not match {pattern!r}:\n{run.stderr}"
    assert len(run.stderr.splitlines()) <= 3, f"one clear message, not a flood:\n{run.stderr}"
    assert run.seconds < SECONDS, f"took {run.seconds:.2f}s"
    assert run.max_rss_bytes < MAX_RSS, f"peak RSS {run.max_rss_bytes >> 20} MiB"
    assert "console on" not in run.stdout


def test_a_50_mb_file_is_refused_unread(swarm_bin, tmp_path):
    plan = tmp_path / "huge.yml"
    with open(plan, "w") as f:
        f.write("protocol: durian\nactions:\n")
        action = "  - command: heartbeat\n    sleep_after_action: 1\n"
        f.write(action * (50 * 1024 * 1024 // len(action) + 1))
    run = run_to_exit(swarm_args(swarm_bin, plan), timeout=30)
    assert run.status == 2, run.stderr
    assert re.search(rf"^swarm: {re.escape(str(plan))}:1:1: the file is larger than 8 MiB", run.stderr, re.M), run.stderr
    assert run.seconds < SECONDS, f"took {run.seconds:.2f}s"
    assert run.max_rss_bytes < MAX_RSS, f"peak RSS {run.max_rss_bytes >> 20} MiB"


def test_an_endless_device_is_refused(swarm_bin):
    run = run_to_exit(swarm_args(swarm_bin, "/dev/zero"), timeout=30)
    assert run.status == 2, run.stderr
    assert "/dev/zero:1:1: the file is larger than 8 MiB" in run.stderr
    assert run.seconds < SECONDS, f"took {run.seconds:.2f}s"


def test_rounds_1e12_is_a_whole_number(durian, swarm, write_file):
    server = durian()
    plan = write_file("plan.yml", "protocol: durian\nactions:\n  - command: heartbeat\n    rounds: 1e12\n    sleep_between_rounds: 50ms\n")
    run = swarm(server.address, plan, "--connections", 2, "--interval", "500ms")
    server.wait_connections(2)
    assert run.stop() == 0


@pytest.mark.bounds
def test_a_40000_action_plan_costs_megabytes_not_gigabytes(swarm_bin, tmp_path):
    # Each action's latency histogram used to be its own (35 KiB per action
    # per worker, copied again by every snapshot): 4.2 GB for this plan.
    plan = tmp_path / "long.yml"
    with open(plan, "w") as f:
        f.write("protocol: durian\nactions:\n")
        for i in range(40000):
            command = ("heartbeat", "enter_chatroom")[i % 2]
            f.write(f"  - command: {command}\n    sleep_after_action: 1\n")
    limit = (300 if not SANITIZER else 1536) << 20
    run = run_to_exit(swarm_args(swarm_bin, plan, "--threads", 2, "--duration", "1s", "--interval", "300ms"), timeout=60)
    assert run.status == 0, f"exit {run.status}\n{run.stderr}"
    assert "final report" in run.stdout
    assert run.max_rss_bytes < limit, f"peak RSS {run.max_rss_bytes >> 20} MiB"
