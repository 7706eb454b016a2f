"""Built-in protocols as a new user meets them: no --protocol-dir, a list
of what they offer (`swarm --protocols`), every plan mistake caught at load
with file:line:col (exit 2, nothing opened), and a file of the same name in
--protocol-dir taking over, said in one line."""

import subprocess

import pytest

from conftest import final_report, report_rows

BAD_PLANS = {
    "redis": (
        """protocol: redis
on_connect: {hello: 4}
actions:
  - command: sett
  - command: get
    args: {key: k, colour: red}
  - command: set
    args: {value: v}
  - command: set
    args: {key: k, size: lots}
""",
        [
            "plan.yml:2:21: on_connect setting 'hello': expected 2 to 3, got 4",
            "plan.yml:4:14: unknown command 'sett' (module redis has: command, del, get, hget, "
            "hset, incr, lpush, ping, publish, rpop, set, subscribe)",
            "plan.yml:6:28: command 'get' does not take arg 'colour' (takes: key, pipeline)",
            "plan.yml:8:11: command 'set' needs arg 'key' (text)",
            "plan.yml:10:26: command 'set' arg 'size': expected a whole number, got 'lots'",
        ],
    ),
    "memcached": (
        """protocol: memcached
actions:
  - command: gets
  - command: get
    args: {key: k, ttl: 3}
  - command: incr
  - command: set
    args: {key: "k{rand:5-1}", value: v}
""",
        [
            "plan.yml:3:14: unknown command 'gets' (module memcached has: delete, get, incr, set)",
            "plan.yml:5:25: command 'get' does not take arg 'ttl' (takes: key, pipeline)",
            "plan.yml:6:14: command 'incr' needs arg 'key' (text)",
            "plan.yml:8:17: command 'set' arg 'key': bad substitution '{rand:5-1}' (expected "
            "{rand:LO-HI}, whole numbers, LO <= HI)",
        ],
    ),
}


@pytest.mark.parametrize("protocol", sorted(BAD_PLANS))
def test_plan_mistakes_exit_2_with_file_line_col(tmp_path, swarm, protocol):
    text, expected = BAD_PLANS[protocol]
    plan = tmp_path / "plan.yml"
    plan.write_text(text)
    run = swarm("127.0.0.1:9", plan, wait=False, protocol_dir=None)
    assert run.process.wait_exit(timeout=10) == 2
    err = run.process.stderr()
    # Every problem at once, one per line, in file order: PATH:LINE:COL: ...
    lines = err.strip().removeprefix("swarm: ").splitlines()
    assert len(lines) == len(expected), err
    for line, want in zip(lines, expected):
        assert line == f"{tmp_path}/{want}", err
    assert "console on" not in run.process.stdout()


def test_protocols_lists_commands_and_args(swarm_bin):
    listing = subprocess.run([swarm_bin, "--protocols"], capture_output=True, text=True, timeout=10)
    assert listing.returncode == 0, listing.stderr
    out = listing.stdout
    for name in ("redis:", "memcached:"):
        assert f"\n{name}" in out, out
    for line in ("    subscribe: SUBSCRIBE to each channel",
                 "      words (a list of text, required): the command and its args",
                 "      hello (a whole number): 2 or 3",
                 "      exptime (a whole number): expiry",
                 "      pipeline (a whole number): requests sent together"):
        assert line in out, out


def test_a_file_of_the_same_name_wins_and_says_so(tmp_path, redis_server, swarm):
    (tmp_path / "redis.lua").write_text(
        'local swarm = require("swarm")\n'
        "return { ping = function(client)\n"
        '  client:send_for_reply("PING\\r\\n", swarm.reply_parser_crlf()) end }\n')
    plan = tmp_path / "plan.yml"
    plan.write_text("protocol: redis\nactions:\n  - command: ping\n    sleep_after_action: 10ms\n")
    run = swarm(redis_server.address, plan, "--connections", "1", "--duration", "1s",
                protocol_dir=tmp_path)
    assert run.process.wait_exit(timeout=20) == 0
    out = run.process.stdout()
    assert (f"swarm: protocol redis: using {tmp_path / 'redis.lua'}, not the built-in redis "
            "(a file of that name wins)") in out, out
    assert report_rows(final_report(out))["ping"]["replies"] > 0, out


def test_a_module_file_still_needs_its_directory(tmp_path, swarm):
    plan = tmp_path / "plan.yml"
    plan.write_text("protocol: durian\nactions:\n  - command: heartbeat\n")
    run = swarm("127.0.0.1:9", plan, wait=False, protocol_dir=None)
    assert run.process.wait_exit(timeout=10) == 2
    err = run.process.stderr()
    assert "plan.yml:1:11: protocol 'durian': protocol module 'durian' not found: no " \
           "--protocol-dir, and no built-in protocol of that name (built in: memcached, redis, websocket)" in err, err
