"""`swarm control`: three agents (real swarm processes, each on its own
loopback address) steered as one against a real redis-server. Shares split
exactly, redis sees the sum, an agent killed with SIGKILL is found lost and
its share moves, `stop` stops all, and the merged report's request total is
redis's own count."""

import json
import re
import signal
import time

import pytest

from conftest import Console, Http, free_port, load_report, wait_until

PLAN = """
protocol: redis
actions:
  - command: PING
    rounds: 1
    sleep_after_action: 100ms
"""
INTERVAL_S = 1.0


def redis_pings(redis):
    stats = redis.info("commandstats").get("cmdstat_ping", "calls=0,")
    return int(re.search(r"calls=(\d+)", stats).group(1))


def connected_clients(redis):
    return int(redis.info("clients")["connected_clients"]) - 1  # less our INFO connection


class Agent:
    """A swarm with --http on its own loopback address."""

    def __init__(self, swarm, server, plan, host, *extra):
        self.host = host
        self.port = free_port(host)
        self.run = swarm(server, plan, "--http", f"{host}:{self.port}", "--interval", "1s", *extra,
                         console_host=host)
        self.run.process.wait_output(r"swarm: dashboard on ")
        self.http = Http(host, self.port)

    @property
    def address(self):
        return f"{self.host}:{self.port}"

    def snapshot(self):
        return self.http.get_json("/api/snapshot")


class Controller:
    """`swarm control` with its console on 127.0.0.1."""

    def __init__(self, processes, swarm_bin, agents, *extra):
        """`agents`: Agent objects or host:port strings."""
        self.port = free_port()
        addresses = [a if isinstance(a, str) else a.address for a in agents]
        self.process = processes([swarm_bin, "control", "--agents", ",".join(addresses),
                                  "--listen", f"127.0.0.1:{self.port}", "--interval", f"{INTERVAL_S}s",
                                  *extra], "control")

    def command(self, line, timeout=15.0):
        with Console("127.0.0.1", self.port) as console:
            console.greeting()
            return console.command(line, timeout)

    def stop(self):
        """`stop` on the console (the session closes after the answer); the exit status."""
        with Console("127.0.0.1", self.port) as console:
            console.greeting()
            console.send_raw(b"stop\r\n")
            reply = console.read_to_end()
        assert "OK: stopping the fleet" in reply, reply
        return self.process.wait_exit(30)

    def wait_started(self):
        return self.process.wait_output(r"swarm control: \d+ agents run sha256:\w+; starting", 30)


def wait_targets(agents, targets, timeout=15):
    return wait_until(lambda: [a.snapshot()["target"] for a in agents], timeout,
                      f"agent targets {targets}", check=lambda t: t == targets)


def wait_open(agents, counts, timeout=20):
    return wait_until(lambda: [a.snapshot()["totals"]["open"] for a in agents], timeout,
                      f"agents to hold {counts}", check=lambda o: o == counts)


@pytest.fixture
def three_agents(swarm, redis_server, write_file):
    plan = write_file("ping.yml", PLAN)
    return [Agent(swarm, redis_server.address, plan, f"127.0.0.{i}") for i in (2, 3, 4)]


def test_shares_split_exactly_an_agent_is_lost_and_stop_stops_all(
        three_agents, redis_server, processes, swarm_bin):
    agents = three_agents
    control = Controller(processes, swarm_bin, agents)
    control.wait_started()

    reply = control.command("incr 300")
    assert "OK incr: target 300 (was 0) over 3 agents: 100 + 100 + 100" in reply, reply
    wait_targets(agents, [100, 100, 100])
    wait_until(lambda: connected_clients(redis_server), 20, "redis to see 300 clients", check=lambda c: c == 300)
    wait_open(agents, [100, 100, 100])

    reply = control.command("decr 150")
    assert "OK decr: target 150 (was 300) over 3 agents: 50 + 50 + 50" in reply, reply
    wait_targets(agents, [50, 50, 50])
    wait_until(lambda: connected_clients(redis_server), 15, "redis to see 150 clients", check=lambda c: c == 150)

    # The merged status: the fleet's totals and a line per agent.
    status = wait_until(lambda: control.command("stat"), 10, "the status to show 150 open",
                        check=lambda s: re.search(r"connections +target 150 +open 150 ", s))
    for agent in agents:
        assert re.search(rf"{re.escape(agent.address)} +up +share 50 +open 50 +req/s", status), status

    # SIGKILL: lost within 3 intervals, its share moves to the others.
    killed, survivors = agents[1], [agents[0], agents[2]]
    killed.run.process.popen.send_signal(signal.SIGKILL)
    killed_at = time.monotonic()
    control.process.wait_output(rf"agent {re.escape(killed.address)} lost: no answer for 3 intervals", 10)
    lost_after = time.monotonic() - killed_at
    assert lost_after <= 3 * INTERVAL_S + 2.5, f"lost only {lost_after:.1f}s after the kill"
    control.process.wait_output(r"rebalance \(an agent joined or left\): target 150 \(was 150\) over 2 "
                                r"agents: 75 \+ 75", 10)
    wait_targets(survivors, [75, 75])
    wait_until(lambda: connected_clients(redis_server), 15, "redis to see 150 clients again",
               check=lambda c: c == 150)
    status = control.command("stat")
    assert re.search(rf"{re.escape(killed.address)} +lost +seen [\d.]+s ago: connect: ", status), status
    assert "last counts kept" in status
    # `rebalance` by hand sends the same shares again.
    reply = control.command("rebalance")
    assert "OK rebalance: target 150 (was 150) over 2 agents: 75 + 75" in reply, reply

    # stop: every agent stops, everyone exits 0.
    assert control.stop() == 0, control.process.stderr()
    for agent in survivors:
        assert agent.run.process.wait_exit(15) == 0, agent.run.process.stderr()
    out = control.process.stdout()
    assert "swarm final report" in out
    assert re.search(rf"{re.escape(killed.address)} +lost", out.split("swarm final report")[1])


def test_merged_report_equals_redis_and_the_agents_own_reports(
        swarm, redis_server, processes, swarm_bin, write_file, tmp_path):
    plan = write_file("ping.yml", PLAN)
    agents = [Agent(swarm, redis_server.address, plan, f"127.0.0.{i}", "--report", tmp_path / f"agent{i}.json")
              for i in (5, 6, 7)]
    before = redis_pings(redis_server)
    control = Controller(processes, swarm_bin, agents, "--connections", 60, "--duration", "4s",
                         "--report", tmp_path / "fleet.json", "--html", tmp_path / "fleet.html")
    control.wait_started()
    assert control.process.wait_exit(30) == 0, control.process.stderr()
    for agent in agents:
        assert agent.run.process.wait_exit(15) == 0, agent.run.process.stderr()
    pings = redis_pings(redis_server) - before
    fleet = load_report(tmp_path / "fleet.json")
    own = [load_report(tmp_path / f"agent{i}.json") for i in (5, 6, 7)]

    # Exact: the fleet's requests are redis's count and the sum of the agents'.
    assert fleet["totals"]["requests"] == pings > 0, (fleet["totals"], pings)
    assert fleet["totals"]["requests"] == sum(r["totals"]["requests"] for r in own)
    assert fleet["connections"]["established"] == 60
    assert [a["state"] for a in fleet["agents"]] == ["up", "up", "up"]
    assert sum(a["requests"] for a in fleet["agents"]) == pings
    assert fleet["config"]["digest"].startswith("sha256:")
    assert fleet["config"]["digest"] == own[0]["config"]["digest"]
    assert fleet["config"]["plan"]["text"] == PLAN.lstrip("\n") or fleet["config"]["plan"]["text"] == PLAN

    # The merged histogram is the agents' histograms added bucket by bucket.
    merged = {}
    for report in own:
        for low, high, count in report["commands"][0]["latency"]["histogram"]["buckets"]:
            merged[(low, high)] = merged.get((low, high), 0) + count
    fleet_latency = fleet["commands"][0]["latency"]
    assert {(l, h): c for l, h, c in fleet_latency["histogram"]["buckets"]} == merged
    assert fleet_latency["count"] == sum(r["commands"][0]["latency"]["count"] for r in own)
    assert fleet_latency["max"] == max(r["commands"][0]["latency"]["max"] for r in own)
    assert "<script" in (tmp_path / "fleet.html").read_text()


def test_start_waits_for_the_expected_agents_and_is_one_instant(
        swarm, redis_server, processes, swarm_bin, write_file):
    plan = write_file("ping.yml", PLAN)
    first = Agent(swarm, redis_server.address, plan, "127.0.0.8")
    second_port = free_port("127.0.0.9")
    # The list names the second agent before it runs.
    control = Controller(processes, swarm_bin, [first, f"127.0.0.9:{second_port}"], "--connections", 20,
                         "--start-delay", "1s")
    control.process.wait_output(r"waiting for agents: 1 of 2 answered", 15)
    time.sleep(2 * INTERVAL_S)  # nothing may start while one is missing
    assert first.snapshot()["target"] == 0
    assert "OK" not in control.command("incr 10").splitlines()[0]

    second_run = swarm(redis_server.address, plan, "--http", f"127.0.0.9:{second_port}", "--interval", "1s",
                       console_host="127.0.0.9")
    second_run.process.wait_output(r"swarm: dashboard on ")
    second = Http("127.0.0.9", second_port)
    started = control.wait_started()
    assert started
    wait_until(lambda: [first.snapshot()["target"], second.get_json("/api/snapshot")["target"]], 15,
               "both agents to take 10", check=lambda t: t == [10, 10])
    # Each agent took its share at the instant it was given (its own log says how late).
    lateness = []
    for run in (first.run, second_run):
        match = run.process.wait_output(r"share from the controller, ([\d.]+)ms after its time", 10)
        lateness.append(float(match.group(1)))
    assert all(ms < 250 for ms in lateness), lateness
    assert control.stop() == 0


def test_agents_running_different_plans_are_refused_at_the_start(
        swarm, redis_server, processes, swarm_bin, write_file):
    plan = write_file("ping.yml", PLAN)
    other = write_file("other.yml", PLAN.replace("100ms", "200ms"))
    agents = [Agent(swarm, redis_server.address, plan, "127.0.0.10"),
              Agent(swarm, redis_server.address, other, "127.0.0.11")]
    control = Controller(processes, swarm_bin, agents, "--connections", 10)
    assert control.process.wait_exit(20) == 2
    err = control.process.stderr()
    assert "the agents do not run the same plan and module" in err, err
    for agent in agents:
        assert agent.address in err
        assert agent.snapshot()["agent"]["digest"] in err
        assert agent.snapshot()["target"] == 0  # nothing was started


def test_agents_behind_a_token_and_found_by_dns(swarm, redis_server, processes, swarm_bin, write_file,
                                                 monkeypatch, tmp_path):
    # Every process of this test gets the token from the environment: the
    # agents require it, the controller presents it (and its own console asks for it).
    token = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("SWARM_CONSOLE_TOKEN", token)
    plan = write_file("ping.yml", PLAN)
    agent = Agent(swarm, redis_server.address, plan, "127.0.0.1")
    code, _, _ = agent.http.request("GET", "/api/snapshot")
    assert code == 401
    # dns:localhost:PORT is every address of localhost; the agent listens on one.
    control = Controller(processes, swarm_bin, [f"dns:localhost:{agent.port}"], "--expect-agents", 1,
                         "--connections", 8)
    control.wait_started()
    auth = {"Authorization": f"Bearer {token}"}
    wait_until(lambda: json.loads(agent.http.request("GET", "/api/snapshot", headers=auth)[2])["target"], 15,
               "the agent to take all 8", check=lambda t: t == 8)
    with Console("127.0.0.1", control.port) as console:
        console.read_until(rb"auth TOKEN")
        console.send_raw(f"auth {token}\r\n".encode())
        console.read_until(rb"OK\r\n")
        reply = console.command("incr 2")
    assert "OK incr: target 10 (was 8) over 1 agents: 10" in reply, reply

    # A controller with another token is refused by the agent, and says so.
    wrong = tmp_path / "wrong-token"
    wrong.write_text("fedcba9876543210fedcba9876543210\n")
    refused = Controller(processes, swarm_bin, [agent.address], "--agent-token-file", wrong,
                         "--expect-timeout", "3s")
    assert refused.process.wait_exit(20) == 2
    assert "refused us (401)" in refused.process.stdout(), refused.process.stdout()
    assert "0 of 1 agents answered within --expect-timeout 3s" in refused.process.stderr()

    with Console("127.0.0.1", control.port) as console:
        console.read_until(rb"auth TOKEN")
        console.send_raw(f"auth {token}\r\nstop\r\n".encode())
        assert "OK: stopping the fleet" in console.read_to_end()
    assert control.process.wait_exit(30) == 0
    assert agent.run.process.wait_exit(15) == 0


def test_interrupted_while_waiting_for_agents(processes, swarm_bin, tmp_path):
    nobody = f"127.0.0.1:{free_port()}"
    control = Controller(processes, swarm_bin, [nobody], "--connections", 10, "--report", tmp_path / "r.json")
    control.process.wait_output(rf"{re.escape(nobody)} +no answer yet: connect: Connection refused", 15)
    control.process.popen.send_signal(signal.SIGINT)
    assert control.process.wait_exit(15) == 0
    assert "stopped before the agents started: nothing to report" in control.process.stdout()
    assert not (tmp_path / "r.json").exists()
