"""--http against a real redis-server: the status as JSON, the console's
commands over HTTP with the console's limits, /metrics, access rules, and a
port in use."""

import shutil
import socket
import subprocess

import pytest

from conftest import SCRIPTS, free_port, interval_validator, start_with_http, wait_until


def connected_clients(redis):
    return int(redis.info("clients")["connected_clients"]) - 1  # minus our INFO connection


def test_status_and_commands_over_http(redis_server, swarm):
    run, http = start_with_http(swarm, redis_server.address, SCRIPTS / "redis.yml", "--interval", "300ms")
    validator = interval_validator()
    status = http.get_json("/api/status")
    assert not list(validator.iter_errors(status)), list(validator.iter_errors(status))[:3]
    assert status["target"] == 0 and status["open"] == 0

    code, answer = http.post("/api/incr?n=20")
    assert (code, answer["ok"], answer["reply"], answer["target"]) == (200, True, "OK", 20), answer
    wait_until(lambda: connected_clients(redis_server), 15, "redis to see 20 clients", check=lambda c: c == 20)
    # The status follows within an interval, in the report's interval shape.
    status = wait_until(lambda: http.get_json("/api/status"), 10, "the status to show 20 open",
                        check=lambda s: s["open"] == 20 and s["requests"] > 0)
    assert not list(validator.iter_errors(status))
    assert [c["name"] for c in status["commands"]] == ["SET", "GET", "INCR", "PING"]

    code, answer = http.post("/api/decr", {"n": 5})
    assert (code, answer["ok"], answer["target"]) == (200, True, 15), answer
    wait_until(lambda: connected_clients(redis_server), 10, "redis to see 15 clients", check=lambda c: c == 15)

    # The console's limits and words.
    code, answer = http.post("/api/incr?n=0")
    assert code == 400 and answer["error"] == "Invalid Command: 'incr' needs a positive whole number, got '0'"
    code, answer = http.post("/api/incr", {"n": 10_000_001})
    assert code == 400 and "takes at most 10000000 at a time" in answer["error"], answer
    code, answer = http.post("/api/decr", {"n": "x"})
    assert code == 400 and "got 'x'" in answer["error"], answer
    code, headers, text = http.request("POST", "/api/decr", "n=abc",
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert code == 400 and "got 'abc'" in text, text
    code, answer = http.post("/api/decr", "{not json")
    assert code == 400 and "not JSON" in answer["error"], answer
    code, answer = http.post("/api/decr")
    assert code == 400 and "'decr' needs a number" in answer["error"], answer
    code, headers, _ = http.request("GET", "/api/incr?n=1")
    assert code == 405 and headers["allow"] == "POST"
    assert http.request("GET", "/api/nothing")[0] == 404
    assert http.get_json("/api/config")["flags"]["http"] == f"127.0.0.1:{http.port}"
    history = wait_until(lambda: http.get_json("/api/intervals"), 10, "three intervals", check=lambda h: len(h) >= 3)
    assert all(not list(validator.iter_errors(r)) for r in history[-3:])
    wait_until(lambda: connected_clients(redis_server), 5, "the rejected commands to change nothing",
               check=lambda c: c == 15)

    # Another site's page, or a name that is not loopback, is refused.
    code, _, text = http.request("POST", "/api/stop", headers={"Origin": "https://evil.example"})
    assert code == 403 and "cross-origin" in text
    code, _, text = http.request("GET", "/api/status", headers={"Host": "rebind.example:80"})
    assert code == 403 and "loopback" in text
    assert run.process.running()

    code, answer = http.post("/api/stop")
    assert (code, answer["ok"], answer["reply"]) == (200, True, "OK"), answer
    assert run.process.wait_exit() == 0
    assert "swarm: stopping: stop from the console" in run.process.stdout()


def test_dashboard_and_its_files(redis_server, swarm):
    run, http = start_with_http(swarm, redis_server.address, SCRIPTS / "redis.yml", "--interval", "300ms")
    code, headers, page = http.request("GET", "/")
    assert code == 200 and headers["content-type"].startswith("text/html")
    for asset in ("/assets/chart.min.js", "/assets/charts.js", "/assets/dashboard.js", "/assets/swarm.css"):
        assert f'"{asset}"' in page
        code, headers, body = http.request("GET", asset)
        assert code == 200 and len(body) > 1000, asset
    assert "Chart.js v3" in http.request("GET", "/assets/chart.min.js")[2]
    assert http.request("GET", "/assets/dashboard.html")[0] == 404
    assert http.request("GET", "/assets/../../etc/passwd")[0] == 404
    # Events: the history first, then one per interval.
    with socket.create_connection(("127.0.0.1", http.port), timeout=10) as s:
        s.sendall(b"GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        data = b""
        while data.count(b"event: interval\n") < 2:
            chunk = s.recv(65536)
            assert chunk, data[-500:]
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    assert "Content-Type: text/event-stream" in head
    assert data.index(b"event: history\n") < data.index(b"event: interval\n")
    assert run.stop() == 0


def test_metrics_pass_promtool_and_openmetrics(redis_server, swarm):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is missing (apt-get install prometheus; scripts/install-deps.sh --tests)")
    run, http = start_with_http(swarm, redis_server.address, SCRIPTS / "redis.yml",
                                "--interval", "300ms", "--connections", 10)
    wait_until(lambda: http.get_json("/api/status"), 10, "requests", check=lambda s: s["requests"] > 0)
    code, headers, text = http.request("GET", "/metrics")
    assert code == 200 and headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    for name in ("swarm_requests_total{command=\"GET\"}", "swarm_connections_open ", "swarm_build_info{",
                 "swarm_errors_total{reason=\"refused\"} 0", "swarm_request_duration_seconds_bucket{command=\"PING\",le=\"+Inf\"}",
                 "swarm_connections{state=\"standby\"}", "swarm_connections_target 10"):
        assert name in text, name

    code, headers, text = http.request("GET", "/metrics",
                                       headers={"Accept": "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"})
    assert headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8"
    assert text.endswith("# EOF\n")
    try:
        from prometheus_client.openmetrics import parser
    except ImportError:
        pytest.fail("python3-prometheus-client is missing (scripts/install-deps.sh --tests)")
    families = {f.name: f for f in parser.text_string_to_metric_families(text)}
    assert families["swarm_requests"].type == "counter"
    assert families["swarm_request_duration_seconds"].type == "histogram"
    assert families["swarm_build"].type == "info"
    assert run.stop() == 0


def test_http_port_in_use_exits_2_before_any_connection(scripted_server, swarm):
    target = scripted_server(lambda data: b"+OK\r\n")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        run = swarm(target.address, SCRIPTS / "redis.yml", "--connections", 5, "--http", f"127.0.0.1:{port}",
                    wait=False)
        assert run.process.wait_exit() == 2
    finally:
        busy.close()
    assert f"swarm: --http: cannot listen on 127.0.0.1:{port}: Address already in use" in run.process.stderr()
    assert "console on" not in run.process.stdout()
    assert target.accepted == 0


def test_http_beyond_loopback_needs_a_token(redis_server, swarm):
    run = swarm(redis_server.address, SCRIPTS / "redis.yml", "--connections", 5,
                "--http", f"0.0.0.0:{free_port('0.0.0.0')}", wait=False)
    assert run.process.wait_exit() == 2
    assert "beyond loopback" in run.process.stderr() and "token" in run.process.stderr()
    assert connected_clients(redis_server) == 0
