"""swarm's built-in http protocol against a real nginx (started here on
127.0.0.1 at a free port, with a temporary prefix): nginx's access log is
the oracle. It logs, per request, the connection's serial number and its
request count on it ($connection, $connection_requests), the status, the
method, the URI and the request body's length; swarm's final report must
agree: per row requests and replies, per status code and class, keep-alive
(few connections, many requests each), a server's `Connection: close`
(every request on its own connection, each counted as a reconnect), under
--tls and --rate too. Small servers written here play what nginx will not:
a body framed by the close, and garbage."""

import subprocess
from collections import Counter

import pytest

from conftest import (
    ScriptedServer,
    error_counts,
    final_report,
    kinds,
    report_line,
    report_rows,
)
from tls_servers import Nginx as TlsNginx  # HTTPS as it is, plain HTTP with our config
from tls_servers import certificates  # noqa: F401 - a fixture

NGINX_CONF = """\
daemon off;
master_process off;
worker_rlimit_nofile 4096;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 2048; }}
http {{
  log_format swarm '$connection $connection_requests $status $request_method $uri $content_length $sent_http_transfer_encoding';
  access_log {dir}/access.log swarm;
  client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp; fastcgi_temp_path {dir}/tmp;
  uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server {{
    listen 127.0.0.1:{port};
    root {dir}/www;
    # Compressed on the fly: the length is not known, so the body is chunked.
    location = /chunked.txt {{ gzip on; gzip_min_length 0; gzip_types text/plain; }}
    location = /fail {{ return 503; }}
    location = /post {{ return 200 "posted\\n"; }}
    # No keep-alive here: nginx answers with Connection: close and closes.
    location = /close {{ keepalive_timeout 0; return 200 "bye\\n"; }}
  }}
}}
"""


class HttpNginx(TlsNginx):
    """nginx serving plain HTTP; requests() is its access log, one list of
    fields per request: connection, its request number, status, method,
    URI, request body length ("-": none), Transfer-Encoding sent."""

    def __init__(self, start, directory):
        super().__init__(start, None, directory, conf=NGINX_CONF)
        (self.dir / "www" / "chunked.txt").write_text("swarm " * 2000)


@pytest.fixture
def http_nginx(processes, tmp_path):
    return HttpNginx(processes, tmp_path / "nginx")


def run_plan(swarm, server, tmp_path, text, *flags, timeout=30):
    plan = tmp_path / "plan.yml"
    plan.write_text(text)
    run = swarm(server, plan, "--interval", "1h", *flags, protocol_dir=None)
    assert run.process.wait_exit(timeout=timeout) == 0, run.process.stderr()
    return final_report(run.process.stdout())


MIXED_PLAN = """\
protocol: http
actions:
  - command: request
    args: {path: /small.txt}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: request
    args: {path: /chunked.txt, headers: {Accept-Encoding: gzip}, name: chunked}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: request
    args: {path: /fail, name: fail}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: request
    args: {method: HEAD, path: /small.txt, name: head}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: request
    args: {method: POST, path: /post, body: "item={seq}&by={id}", name: post, pipeline: 2}
    sleep_between_rounds: 0
    sleep_after_action: 0
"""

ROWS = {  # report row -> (method, uri, status) in nginx's log
    "GET /small.txt": ("GET", "/small.txt", "200"),
    "chunked": ("GET", "/chunked.txt", "200"),
    "fail": ("GET", "/fail", "503"),
    "head": ("HEAD", "/small.txt", "200"),
    "post": ("POST", "/post", "200"),
}


def test_access_log_matches_the_report_with_keep_alive(tmp_path, http_nginx, swarm):
    final = run_plan(swarm, http_nginx.address, tmp_path, MIXED_PLAN, "--connections", "10",
                     "--duration", "3s")
    log = http_nginx.requests()
    rows = report_rows(final)
    by_request = Counter((f[3], f[4], f[2]) for f in log)
    # Stopped mid-run: a request swarm began to send may not have reached
    # nginx, and one nginx logged may not have been answered in time. So
    # nginx's count lies between what swarm saw answered and what it sent.
    for row, key in ROWS.items():
        assert 0 < rows[row]["replies"] <= by_request[key] <= rows[row]["requests"], (row, final)
        assert rows[row]["requests"] - rows[row]["replies"] <= 20, (row, final)
    assert sum(by_request.values()) == len(log)
    assert set(by_request) == set(ROWS.values()), by_request
    # Statuses by code and class, as nginx logged them: 503 is an error of
    # its kind, the rest are not.
    errors = kinds(report_line(final, "reply errors"))
    plain = kinds(report_line(final, "reply kinds"))
    assert errors["fail"] == {"503": rows["fail"]["replies"], "5xx": rows["fail"]["replies"]}, final
    for row in ("GET /small.txt", "chunked", "head", "post"):
        assert plain[row] == {"200": rows[row]["replies"], "2xx": rows[row]["replies"]}, final
    # Keep-alive: ten connections carried every request.
    connections = Counter(f[0] for f in log)
    assert len(connections) <= 10, connections
    assert max(int(f[1]) for f in log) >= len(log) // 10 - 20
    assert len(log) >= 50 * len(connections), (len(log), connections)
    # The chunked location was chunked, and nothing else.
    assert {f[6] for f in log if f[4] == "/chunked.txt"} == {"chunked"}
    assert {f[6] for f in log if f[4] != "/chunked.txt"} == {"-"}
    # POST bodies went out with their length ("item=N&by=M").
    assert all(f[5] != "-" and int(f[5]) >= len("item=1&by=0") for f in log if f[3] == "POST")
    assert report_line(final, "errors") == "none", final
    assert "close_connection" not in report_line(final, "ended"), final


def test_connection_close_from_the_server_reconnects(tmp_path, http_nginx, swarm):
    final = run_plan(swarm, http_nginx.address, tmp_path, """\
protocol: http
actions:
  - command: request
    args: {path: /close, expect: 200}
    sleep_between_rounds: 0
    sleep_after_action: 20ms
""", "--connections", "4", "--duration", "2s")
    log = http_nginx.requests()
    rows = report_rows(final)
    replies = rows["GET /close"]["replies"]
    assert replies >= 20, final
    assert replies <= len(log) <= rows["GET /close"]["requests"], (len(log), final)
    # Every request on a connection of its own, in nginx's log and swarm's.
    assert all(f[1] == "1" for f in log), log[:5]
    assert len({f[0] for f in log}) == len(log)
    assert kinds(report_line(final, "reply kinds"))["GET /close"] == {
        "200": replies, "2xx": replies, "close": replies}, final
    ended = report_line(final, "ended")
    assert f"close_connection {replies}" in ended, final
    assert report_line(final, "errors") == "none", final


def test_https_and_rate(tmp_path, processes, certificates, swarm):  # noqa: F811
    server = TlsNginx(processes, certificates, tmp_path / "tls-nginx")
    final = run_plan(swarm, server.address, tmp_path, """\
protocol: http
actions:
  - command: request
    args: {path: "/small.txt?n={seq}", name: small}
""", "--connections", "20", "--duration", "3s", "--rate", "200", "--tls", "--tls-ca",
                     certificates.path("ca.pem"))
    log = server.requests()
    rows = report_rows(final)
    assert rows["small"]["replies"] <= len(log) <= rows["small"]["requests"], final
    # 200 a second for 3 s, the first calls at random phases in the first period.
    assert 450 <= len(log) <= 640, len(log)
    assert all(f[1].startswith("TLS") for f in log), log[:3]
    assert kinds(report_line(final, "reply kinds"))["small"]["200"] == rows["small"]["replies"]
    assert report_line(final, "errors") == "none", final


class CloseFramedServer(ScriptedServer):
    """Answers each request with an HTTP/1.0 response whose body runs to
    the close, then closes."""

    BODY = b"no length: this body ends where the connection does\n"

    def __init__(self):
        super().__init__(lambda data: None)

    def _serve(self, client):
        client.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = client.recv(4096)
                if not chunk:
                    break
                data += chunk
            if data:
                client.sendall(b"HTTP/1.0 200 OK\r\nServer: old\r\n\r\n" + self.BODY)
        except OSError:
            pass
        client.close()


def test_a_body_framed_by_the_close_is_a_reply(tmp_path, swarm):
    server = CloseFramedServer()
    try:
        final = run_plan(swarm, server.address, tmp_path, """\
protocol: http
actions:
  - command: request
    args: {path: /}
    sleep_between_rounds: 0
    sleep_after_action: 20ms
""", "--connections", "2", "--duration", "2s")
    finally:
        server.close()
    row = report_rows(final)["GET /"]
    assert row["replies"] >= 10, final
    assert kinds(report_line(final, "reply kinds"))["GET /"]["close"] == row["replies"], final
    assert report_line(final, "errors") == "none", final


def test_garbage_is_a_counted_protocol_error_and_the_run_goes_on(tmp_path, scripted_server, swarm):
    server = scripted_server(lambda data: b"HTTP/1.1 2x0 OK\r\n\r\n")
    plan = tmp_path / "plan.yml"
    plan.write_text("protocol: http\nactions: [{command: request, args: {path: /}}]\n")
    run = swarm(server.address, plan, "--connections", "2", "--duration", "2s", "--interval",
                "1h", protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    # Each connection reconnects after a backoff (0.1 s, doubling) and meets
    # it again.
    assert error_counts(final)["protocol_error"] >= 4, final
    assert server.accepted >= 4
    assert ("GET /: protocol error: HTTP reply: invalid HTTP status code (HPE_INVALID_STATUS) at "
            "offset 10 of the reply, near \\\"HTTP/1.1 2x0 OK\\r\\n\\r\\n\\\"") in final or \
        "invalid HTTP status code (HPE_INVALID_STATUS) at offset 10" in final, final


BAD_PLAN = """\
protocol: http
actions:
  - command: fetch
  - command: request
    args: {method: GET}
  - command: request
    args: {path: /, expect: 2000}
  - command: request
    args: {path: /, headers: {Content-Length: 3}}
"""


def test_plan_mistakes_exit_2_with_file_line_col(tmp_path, swarm):
    plan = tmp_path / "plan.yml"
    plan.write_text(BAD_PLAN)
    run = swarm("127.0.0.1:9", plan, wait=False, protocol_dir=None)
    assert run.process.wait_exit(timeout=10) == 2
    lines = run.process.stderr().strip().removeprefix("swarm: ").splitlines()
    assert lines == [
        f"{plan}:3:14: unknown command 'fetch' (module http has: request)",
        f"{plan}:5:11: command 'request' needs arg 'path' (text)",
        f"{plan}:7:29: command 'request' arg 'expect': expected a status code 100 to 599 or a "
        "class such as 2xx, got '2000'",
        f"{plan}:9:47: command 'request' arg 'headers' 'Content-Length': swarm frames the body "
        "itself (Content-Length from body or size)",
    ], run.process.stderr()
    assert "console on" not in run.process.stdout()


def test_protocols_lists_http(swarm_bin):
    listing = subprocess.run([swarm_bin, "--protocols"], capture_output=True, text=True, timeout=10)
    assert listing.returncode == 0, listing.stderr
    assert "\nhttp: HTTP/1.1 on persistent connections." in listing.stdout
    for line in ("    request: one request and its response",
                 "      path (text, required): the request target",
                 "      expect (text): the status that is no error"):
        assert line in listing.stdout, listing.stdout
