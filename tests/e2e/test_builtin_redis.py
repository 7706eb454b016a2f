"""swarm's built-in redis protocol against a real redis-server, with no
module file: redis's own INFO (commandstats, errorstats, stats) and PUBSUB
are the oracle."""

import pytest

from conftest import error_counts, final_report, kinds, load_report, report_line, report_rows, wait_until


def clients(redis):
    return int(redis.info("clients")["connected_clients"]) - 1  # minus our INFO connection


def write_plan(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def plan_text(head, *actions):
    """A plan: `head` (protocol and settings), then each (command, args) as an
    action without sleeps (args in YAML flow form, or None)."""
    text = head + "actions:\n"
    for command, args in actions:
        text += f"  - command: {command}\n"
        if args:
            text += f"    args: {args}\n"
        text += "    sleep_between_rounds: 0\n    sleep_after_action: 0\n"
    return text


ALL_COMMANDS = plan_text(
    "protocol: redis\non_connect: {db: 3}\n",
    ("set", '{key: "k:{rand:1-50}", size: 32, ex: 600}'),
    ("get", '{key: "k:{rand:1-100}"}'),
    ("incr", '{key: "n:{id}"}'),
    ("lpush", '{key: "l:{id}", value: "v{seq}"}'),
    ("rpop", '{key: "l:{id}"}'),
    ("hset", '{key: "h:{id}", field: "f{rand:1-3}", value: x}'),
    ("hget", '{key: "h:{id}", field: f1}'),
    ("del", '{key: "k:{rand:1-100}"}'),
    ("ping", None),
    ("publish", "{channel: nobody, payload: hi}"),
    ("command", '{words: [ZADD, "z:{id}", "{rand:1-9}", "m{seq}"]}'),
)


def test_commandstats_equal_the_final_report(tmp_path, redis_server, swarm):
    plan = write_plan(tmp_path, "all.yml", ALL_COMMANDS)
    before = redis_server.commandstats()
    run = swarm(redis_server.address, plan, "--connections", "20", "--duration", "3s",
                "--interval", "1s", protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    rows = report_rows(final)
    after = redis_server.commandstats()
    calls = {name: after.get(name, 0) - before.get(name, 0) for name in after}
    expected = {"set": "set", "get": "get", "incr": "incr", "lpush": "lpush", "rpop": "rpop",
                "hset": "hset", "hget": "hget", "del": "del", "ping": "ping",
                "publish": "publish", "command ZADD": "zadd", "on_connect": "select"}
    for row, command in expected.items():
        assert row in rows, final
        assert rows[row]["requests"] > 0, final
        # Stopped mid-run: a request swarm began to send may not have reached
        # redis, and one redis ran may not have been answered: redis's count
        # lies between swarm's replies and its requests, at most one per
        # connection apart.
        assert rows[row]["replies"] <= calls.get(command, 0) <= rows[row]["requests"], \
            (row, command, calls, final)
        assert 0 <= rows[row]["requests"] - rows[row]["replies"] <= 20, final
    assert rows["on_connect"]["calls"] == 20, final  # one SELECT per connection
    assert not {k: v for k, v in error_counts(final).items() if v}, final
    # Keys went to database 3, as on_connect asked.
    assert "db3" in redis_server.info("keyspace"), redis_server.info("keyspace")
    # get counts hits and misses; together, every GET.
    get = kinds(report_line(final, "reply kinds")).get("get", {})
    assert get.get("hit", 0) + get.get("miss", 0) == rows["get"]["replies"], final


def test_error_replies_are_counted_by_their_first_word(tmp_path, redis_server, swarm):
    # The key holds a list: GET on it is refused with WRONGTYPE, every time.
    plan = write_plan(tmp_path, "wrong.yml", plan_text(
        "protocol: redis\n",
        ("lpush", '{key: "list:{id}", value: x}'),
        ("get", '{key: "list:{id}", pipeline: 4}'),
        ("command", "{words: [NOSUCHCOMMAND, x]}"),
    ))
    before = redis_server.errorstats()
    report_path = tmp_path / "report.json"
    run = swarm(redis_server.address, plan, "--connections", "5", "--duration", "2s",
                "--interval", "1h", "--report", report_path, protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    errors = kinds(report_line(final, "reply errors"))
    after = redis_server.errorstats()
    rows = report_rows(final)
    # Every GET is refused, and every NOSUCHCOMMAND: swarm counted each reply
    # it read; redis each it refused (a few more, answered after the stop).
    wrongtype = after.get("WRONGTYPE", 0) - before.get("WRONGTYPE", 0)
    err = after.get("ERR", 0) - before.get("ERR", 0)
    assert errors["get"]["-WRONGTYPE"] == rows["get"]["replies"] > 0, final
    assert rows["get"]["replies"] <= wrongtype <= rows["get"]["requests"], (wrongtype, final)
    unknown = rows["command NOSUCHCOMMAND"]
    assert errors["command NOSUCHCOMMAND"]["-ERR"] == unknown["replies"], final
    assert unknown["replies"] <= err <= unknown["requests"], (err, final)
    # The JSON report says the same, and names the module a built-in.
    report = load_report(report_path)
    assert report["config"]["module"]["kind"] == "builtin", report["config"]["module"]
    by_name = {c["name"]: c for c in report["commands"]}
    assert by_name["get"]["reply_kinds"]["-WRONGTYPE"] == {"count": errors["get"]["-WRONGTYPE"],
                                                          "error": True}
    # The server answered: these are not I/O failures, and the plan went on.
    assert rows["get"]["errors"] == 0 and rows["get"]["requests"] - rows["get"]["replies"] <= 5 * 4, final
    assert report_line(final, "errors") == "none", final


@pytest.mark.parametrize("pipeline", (1, 16))
def test_a_pipeline_sends_its_requests_in_one_round_trip(tmp_path, redis_server, swarm, pipeline):
    # redis counts the read events it processed: with `pipeline: 16`, each
    # read brings 16 GETs; without, one.
    plan = write_plan(tmp_path, "pipe.yml", plan_text(
        "protocol: redis\n", ("get", f'{{key: "k{{seq}}", pipeline: {pipeline}}}')))
    before_stats, before_calls = redis_server.info("stats"), redis_server.commandstats()
    run = swarm(redis_server.address, plan, "--connections", "1", "--duration", "2s",
                "--interval", "1h", protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    after_stats, after_calls = redis_server.info("stats"), redis_server.commandstats()
    final = final_report(run.process.stdout())
    row = report_rows(final)["get"]
    gets = after_calls["get"] - before_calls.get("get", 0)
    assert row["requests"] == gets == pipeline * row["calls"], final
    assert row["requests"] - row["replies"] <= pipeline, final
    # Reads: swarm's, plus the few of our INFO connections.
    reads = int(after_stats["total_reads_processed"]) - int(before_stats["total_reads_processed"])
    per_read = gets / reads
    print(f"pipeline {pipeline}: {gets} GETs in {reads} reads")
    assert pipeline * 0.9 <= per_read <= pipeline, (gets, reads, final)


@pytest.mark.bounds  # 100 000 deliveries within 20 s
@pytest.mark.parametrize("hello", (2, 3))
def test_every_subscriber_receives_every_message(tmp_path, redis_server, swarm, hello):
    subscribers, publishers, messages = 200, 10, 50
    sub_plan = write_plan(tmp_path, "sub.yml", f"""protocol: redis
on_connect: {{hello: {hello}}}
actions:
  - command: subscribe
    args: {{channel: news}}
    sleep_after_action: 1h
""")
    pub_plan = write_plan(tmp_path, "pub.yml", f"""protocol: redis
actions:
  - command: publish
    args: {{channel: news, size: 64, stamp: true}}
    rounds: {messages}
    sleep_between_rounds: 1ms
    sleep_after_action: 1h
""")
    report_path = tmp_path / "sub.json"
    sub = swarm(redis_server.address, sub_plan, "--connections", subscribers, "--interval", "1h",
                "--report", report_path, protocol_dir=None)
    wait_until(lambda: redis_server.command("PUBSUB", "NUMSUB", "news")[1], 20,
               "redis to count the subscribers", check=lambda n: n == subscribers)
    before = redis_server.commandstats().get("publish", 0)
    pub = swarm(redis_server.address, pub_plan, "--connections", publishers, "--interval", "1h",
                protocol_dir=None)
    total = publishers * messages
    wait_until(lambda: redis_server.commandstats().get("publish", 0) - before, 20,
               "redis to take every PUBLISH", check=lambda n: n == total)

    def received():
        with sub.console() as console:
            console.greeting()
            line = [l for l in console.command("stat").splitlines() if l.startswith("received")]
        return int(line[0].split("total ")[1].split()[0]) if line else 0

    wait_until(received, 20, "every message to arrive", check=lambda n: n == subscribers * total)
    assert pub.stop() == 0
    assert sub.stop() == 0
    final = final_report(sub.process.stdout())
    assert report_line(final, "received").startswith(f"messages {subscribers * total} "), final
    assert f"by topic:  news {subscribers * total}" in report_line(final, "received"), final
    delivery = report_rows(final)["publish-to-receive"]
    assert delivery["replies"] == subscribers * total, final  # every message was stamped
    rows = report_rows(final)
    assert rows["subscribe"]["requests"] == subscribers, final
    if hello == 3:
        assert rows["on_connect"]["calls"] == subscribers, final
    assert not {k: v for k, v in error_counts(final).items() if v}, final
    received = load_report(report_path)["received"]
    assert received["messages"] == subscribers * total, received
    assert received["by_topic"] == {"news": subscribers * total}, received
    assert received["publish_to_receive"]["count"] == subscribers * total, received
    pub_final = final_report(pub.process.stdout())
    assert report_rows(pub_final)["publish"]["replies"] == total, pub_final
