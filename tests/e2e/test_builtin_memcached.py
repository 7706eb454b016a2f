"""swarm's built-in memcached protocol against a real memcached: its own
`stats` (cmd_get, cmd_set, get_hits, get_misses, ...) is the oracle."""

from conftest import error_counts, final_report, kinds, report_line, report_rows


def test_stats_equal_the_final_report(tmp_path, memcached_server, swarm):
    plan = tmp_path / "cache.yml"
    plan.write_text("""protocol: memcached
actions:
  - command: set
    args: {key: "k{rand:1-200}", size: 100, flags: 3, exptime: 600}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: get
    args: {key: "k{rand:1-400}", pipeline: 3}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: incr
    args: {key: "n{rand:1-2}"}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: delete
    args: {key: "k{rand:1-400}"}
    sleep_between_rounds: 0
    sleep_after_action: 0
""")
    before = memcached_server.stats()
    run = swarm(memcached_server.address, plan, "--connections", "10", "--duration", "3s",
                "--interval", "1h", protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    after = memcached_server.stats()
    delta = {name: after[name] - before.get(name, 0) for name in after}
    final = final_report(run.process.stdout())
    rows = report_rows(final)
    # Stopped mid-run: a request swarm began to send may not have reached
    # memcached, and one memcached took may not have been answered. So the
    # server's count lies between what swarm saw answered and what it sent.
    for row, stat in (("set", "cmd_set"), ("get", "cmd_get")):
        assert 0 < rows[row]["replies"] <= delta[stat] <= rows[row]["requests"], (row, delta, final)
        assert rows[row]["requests"] - rows[row]["replies"] <= 30, final
    assert rows["get"]["requests"] == 3 * rows["get"]["calls"], final
    replies = kinds(report_line(final, "reply kinds"))
    # Stopped mid-run, a batch may have been cut short: hits and misses are
    # those swarm saw, at most 3 x 10 fewer than memcached counted.
    assert 0 <= delta["get_hits"] - replies["get"]["hit"] <= 30, (delta, final)
    assert 0 <= delta["get_misses"] - replies["get"].get("miss", 0) <= 30, (delta, final)
    assert replies["get"]["hit"] > 0 and replies["get"]["miss"] > 0, final
    # incr on a key nobody set, and delete of a key not there: NOT_FOUND, as
    # memcached counts them.
    assert replies["incr"]["NOT_FOUND"] == rows["incr"]["replies"], final
    assert rows["incr"]["replies"] <= delta["incr_misses"] <= rows["incr"]["requests"], final
    assert replies["delete"]["NOT_FOUND"] <= delta["delete_misses"], final
    assert rows["delete"]["replies"] - replies["delete"]["NOT_FOUND"] <= delta["delete_hits"], final
    assert report_line(final, "reply errors") == "", final
    assert not {k: v for k, v in error_counts(final).items() if v}, final


def test_refusals_are_counted_as_reply_errors(tmp_path, memcached_server, swarm):
    # Values over memcached's item size limit (1 MiB by default) are refused
    # with SERVER_ERROR; the connection goes on.
    plan = tmp_path / "big.yml"
    plan.write_text("""protocol: memcached
actions:
  - command: set
    args: {key: "big{id}", size: 1100000}
    rounds: 3
    sleep_between_rounds: 0
    sleep_after_action: 1h
""")
    # The kernel's socket buffers (not swarm's tiny default): megabyte
    # values go out quickly.
    run = swarm(memcached_server.address, plan, "--connections", "2", "--duration", "3s",
                "--interval", "1h", "--sndbuf", "0", "--rcvbuf", "0", protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    errors = kinds(report_line(final, "reply errors"))
    assert errors["set"]["SERVER_ERROR"] == 6, final
    assert report_rows(final)["set"]["replies"] == 6, final
    assert report_line(final, "errors") == "none", final
