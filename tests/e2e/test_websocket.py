"""swarm's built-in websocket protocol against a real WebSocket server built
on Debian's python3-websockets (tests/servers/websocket/ws_server.py),
started here on 127.0.0.1: its own counts (GET /stats) are the oracle."""

import json
import shutil
import ssl
import subprocess
import sys
import urllib.request

import pytest

from conftest import SOURCE_DIR, error_counts, final_report, load_report, report_line, report_rows, wait_until
from tls_servers import certificates  # noqa: F401 - fixture

WS_SERVER = SOURCE_DIR / "tests" / "servers" / "websocket" / "ws_server.py"


def websockets_python():
    """A python3 with the websockets package: this one, or Debian's."""
    for candidate in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-c", "import websockets"],
                                        capture_output=True).returncode == 0:
            return candidate
    pytest.fail("python3-websockets is missing (apt-get install python3-websockets)")


class WsServer:
    def __init__(self, start, *args, ca=None):
        self.process = start([websockets_python(), str(WS_SERVER), "--port", "0", *map(str, args)],
                             "ws-server")
        match = self.process.wait_output(r"listening on (\d+)")
        self.port = int(match.group(1))
        self.address = f"127.0.0.1:{self.port}"
        self.context = ssl.create_default_context(cafile=ca) if ca else None

    def get(self, path):
        scheme = "https" if self.context else "http"
        with urllib.request.urlopen(f"{scheme}://localhost:{self.port}{path}", timeout=30,
                                    context=self.context) as answer:
            return answer.read().decode()

    def stats(self):
        return json.loads(self.get("/stats"))


@pytest.fixture
def ws_server(processes):
    return lambda *args, ca=None: WsServer(processes, *args, ca=ca)


def write_plan(tmp_path, text, name="plan.yml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def no_errors(final):
    return not {k: v for k, v in error_counts(final).items() if v}


def stat_line(run, label):
    with run.console() as console:
        console.greeting()
        for line in console.command("stat").splitlines():
            if line.startswith(label):
                return line
    return ""


def test_echo_replies_are_timed_and_counted_on_both_sides(tmp_path, ws_server, swarm):
    server = ws_server()
    plan = write_plan(tmp_path, """protocol: websocket
actions:
  - command: open
    args: {path: /echo, origin: "http://swarm.test", subprotocol: chat.v2}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: send_for_reply
    args: {text: "hello {id} {seq}"}
    sleep_between_rounds: 0.01
    sleep_after_action: 0
    rounds: 20
  - command: send_for_reply
    args: {size: 3000}
    sleep_between_rounds: 0
    sleep_after_action: 0.01
""")
    report = tmp_path / "report.json"
    run = swarm(server.address, plan, "--connections", "20", "--duration", "3s", "--interval", "1h",
                "--report", report, protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    rows = report_rows(final)
    stats = server.stats()
    assert rows["open"]["replies"] == stats["accepted"] == 20, (final, stats)
    assert stats["subprotocols"] == {"chat.v2": 20} and stats["origins"] == {"http://swarm.test": 20}
    sent = rows["send_for_reply"]["requests"]
    replies = rows["send_for_reply"]["replies"]
    assert replies > 500, final
    # Stopped mid-run: at most one message per connection in flight.
    assert replies <= stats["received"] <= sent and sent - replies <= 20, (final, stats)
    assert no_errors(final), final
    data = load_report(report)
    kinds = {c["name"]: c["reply_kinds"] for c in data["commands"]}
    assert kinds["send_for_reply"]["text"]["count"] + kinds["send_for_reply"]["binary"]["count"] == replies


def test_send_without_reply_counts_the_echoes_as_received(tmp_path, ws_server, swarm):
    server = ws_server()
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /echo}
actions:
  - command: send
    args: {text: "m{seq}", stamp: true}
    sleep_between_rounds: 0
    sleep_after_action: 0.05
""")
    run = swarm(server.address, plan, "--connections", "10", "--duration", "2s", "--interval", "1h",
                protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    stats = server.stats()
    received = report_line(final, "received")
    count = int(received.split()[1].replace(",", ""))  # "messages N (R/s) by topic: ..."
    # Every echo that came back while the connections slept was read and
    # counted, none left in the socket to spoil the next command.
    assert stats["sent"] - 10 <= count <= stats["sent"], (received, stats)
    assert count > 200 and "text" in received, final
    assert no_errors(final), final


def test_a_broadcast_reaches_2000_connections_counted_on_both_sides(tmp_path, ws_server, swarm):
    server = ws_server()
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /broadcast}
actions:
  - command: ping
    sleep_between_rounds: 0
    sleep_after_action: 3600
""")
    run = swarm(server.address, plan, "--connections", "2000", "--connect-rate", "2000",
                "--interval", "1h", protocol_dir=None)
    wait_until(lambda: server.stats()["connections"] == 2000, 60, "2000 websocket connections")
    assert "sent 5 to 2000" in server.get("/broadcast?count=5&size=64")
    wait_until(lambda: "10,000" in stat_line(run, "received") or "10000" in stat_line(run, "received"),
               60, "every broadcast message received", check=bool)
    assert server.stats()["broadcast_sent"] == 10000
    assert run.stop() == 0
    final = final_report(run.process.stdout())
    assert no_errors(final), final
    assert report_rows(final)["ping"]["replies"] == 2000, final


def test_server_pings_are_answered_while_swarm_sleeps(tmp_path, ws_server, swarm):
    server = ws_server("--ping-every", "0.2", "--ping-timeout", "0.5")
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /pings}
actions:
  - command: send_for_reply
    args: {text: hi}
    sleep_between_rounds: 0
    sleep_after_action: 3600
""")
    run = swarm(server.address, plan, "--connections", "50", "--interval", "1h", protocol_dir=None)
    wait_until(lambda: server.stats()["pongs_received"] >= 50 * 10, 30, "ten pongs per connection")
    stats = server.stats()
    assert stats["ping_timeouts"] == 0 and stats["connections"] == 50, stats
    assert run.stop() == 0
    final = final_report(run.process.stdout())
    assert no_errors(final), final
    assert server.stats()["accepted"] == 50  # never closed by the server's keepalive


def test_fragmented_messages_with_pings_between_are_one_reply(tmp_path, ws_server, swarm):
    server = ws_server()
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /fragments}
actions:
  - command: send_for_reply
    args: {text: "abcdefghijklmnopqrstuvwxyz {seq}"}
    sleep_between_rounds: 0
    sleep_after_action: 0.01
""")
    run = swarm(server.address, plan, "--connections", "10", "--duration", "2s", "--interval", "1h",
                protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    rows = report_rows(final)
    stats = server.stats()
    assert rows["send_for_reply"]["replies"] > 100, final
    assert rows["send_for_reply"]["replies"] <= stats["sent"] <= rows["send_for_reply"]["requests"]
    assert no_errors(final), final


def test_a_server_close_with_1011_is_counted_by_code_and_reconnects(tmp_path, ws_server, swarm):
    server = ws_server("--close-after", "3")
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /close1011}
actions:
  - command: send_for_reply
    args: {text: "x{seq}"}
    sleep_between_rounds: 0
    sleep_after_action: 0.02
""")
    report = tmp_path / "report.json"
    run = swarm(server.address, plan, "--connections", "5", "--duration", "3s", "--interval", "1h",
                "--report", report,
                protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    stats = server.stats()
    closes = error_counts(final.replace("closed:ws_1011", "ws1011"))
    line = report_line(final, "errors")
    assert "closed:ws_1011" in line, final
    counted = int(line.split("closed:ws_1011")[1].split()[0].replace(",", ""))
    # Each close the server sent was counted once, and each was followed by
    # a new connection (the server accepted more than the 5 first).
    assert stats["closed_1011"] - 5 <= counted <= stats["closed_1011"], (line, stats)
    assert counted >= 5 and stats["accepted"] >= counted, (line, stats)
    assert "the server closed the websocket: 1011 (internal error)" in final, final
    data = load_report(report)
    kinds = {k["kind"]: k["count"] for k in data["errors"]["kinds"]}
    assert kinds["closed:ws_1011"] == counted, data["errors"]
    assert not closes.get("protocol_error") and not closes.get("script_error"), final


def test_text_that_is_not_utf8_fails_the_connection_with_1007(tmp_path, ws_server, swarm):
    server = ws_server()
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /badutf8}
actions:
  - command: send_for_reply
    args: {text: "x{seq}"}
    sleep_between_rounds: 0
    sleep_after_action: 0.05
""")
    report = tmp_path / "report.json"
    run = swarm(server.address, plan, "--connections", "3", "--duration", "2s", "--interval", "1h",
                "--report", report, protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    stats = server.stats()
    data = load_report(report)
    kinds = {k["kind"]: k["count"] for k in data["errors"]["kinds"]}
    failed = kinds.get("protocol_error:ws_invalid_utf8", 0)
    # Every bad message the server sent failed its connection, each counted
    # once, and told the server why: close code 1007 (RFC 6455 8.1).
    assert failed >= 3 and stats["sent"] - 3 <= failed <= stats["sent"], (kinds, stats)
    assert stats["client_closes"].get("1007", 0) >= failed - 3, stats
    assert "a text message from the server is not UTF-8 (at byte 3)" in final, final
    # Each failed the call it answered; none is counted as received.
    command = {c["name"]: c for c in data["commands"]}["send_for_reply"]
    assert command["errors"] == failed, command
    assert data["received"]["messages"] == 0, data["received"]


def test_a_close_reason_that_is_not_utf8_fails_the_connection_with_1007(tmp_path, ws_server, swarm):
    server = ws_server()
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /badclose}
actions:
  - command: send_for_reply
    args: {text: "x{seq}"}
    sleep_after_action: 0.05
""")
    report = tmp_path / "report.json"
    run = swarm(server.address, plan, "--connections", "3", "--duration", "2s", "--interval", "1h",
                "--report", report, protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    stats = server.stats()
    kinds = {k["kind"]: k["count"] for k in load_report(report)["errors"]["kinds"]}
    failed = kinds.get("protocol_error:ws_invalid_utf8", 0)
    # Each bad close failed its connection (not counted as the server's
    # 1000) and told the server 1007.
    assert failed >= 3 and stats["sent"] - 3 <= failed <= stats["sent"], (kinds, stats)
    assert not kinds.get("closed:ws_1000"), kinds
    assert stats["client_closes"].get("1007", 0) >= failed - 3, stats
    assert "the close reason from the server is not UTF-8 (at byte 4)" in final, final


def test_close_command_does_the_handshake_and_a_refused_upgrade_is_counted(tmp_path, ws_server, swarm):
    server = ws_server()
    plan = write_plan(tmp_path, """protocol: websocket
actions:
  - command: open
    args: {path: /echo}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: send_for_reply
    args: {text: bye soon}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: close
    args: {code: 4001, reason: done}
    sleep_between_rounds: 0
    sleep_after_action: 0.05
""")
    run = swarm(server.address, plan, "--connections", "4", "--duration", "2s", "--interval", "1h",
                protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    rows = report_rows(final)
    stats = server.stats()
    assert rows["close"]["replies"] >= 8, final
    assert rows["close"]["replies"] <= stats["client_closes"].get("4001", 0), (final, stats)
    assert no_errors(final), final

    refused = write_plan(tmp_path, "protocol: websocket\non_connect: {path: /refuse}\nactions:\n"
                         "  - command: send\n    args: {text: x}\n    sleep_after_action: 0.1\n", name="refused.yml")
    run = swarm(server.address, refused, "--connections", "2", "--duration", "1s", "--interval", "1h",
                protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    assert "protocol_error:ws_upgrade_403" in report_line(final, "errors"), final
    assert "websocket upgrade refused: HTTP/1.1 403 Forbidden" in final, final


def test_garbage_from_the_server_is_a_protocol_error_that_says_where(tmp_path, swarm, processes):
    # A server that upgrades, then sends a frame with RSV1 set.
    script = tmp_path / "bad_server.py"
    script.write_text(r'''
import base64, hashlib, socket, sys, threading
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
print("listening on", listener.getsockname()[1], flush=True)
def serve(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    key = [l.split(b":", 1)[1].strip() for l in data.split(b"\r\n") if l.lower().startswith(b"sec-websocket-key")][0]
    accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    conn.sendall(b"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    conn.recv(4096)
    conn.sendall(b"\xc1\x02hi")
    conn.recv(4096)
    conn.close()
while True:
    c, _ = listener.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
''')
    server = processes([sys.executable, str(script)], "bad-ws")
    port = int(server.wait_output(r"listening on (\d+)").group(1))
    plan = write_plan(tmp_path, "protocol: websocket\non_connect: {path: /}\nactions:\n"
                      "  - command: send_for_reply\n    args: {text: x}\n    sleep_between_rounds: 0\n    sleep_after_action: 0.05\n")
    run = swarm(f"127.0.0.1:{port}", plan, "--connections", "2", "--duration", "1s", "--interval", "1h",
                protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    assert error_counts(final).get("protocol_error", 0) >= 2, final
    assert "reserved bits set (0x40) and no extension was agreed, in the frame at byte 0" in final, final


def test_wss_with_tls(tmp_path, ws_server, swarm, certificates):  # noqa: F811 - fixture
    server = ws_server("--cert", certificates.path("server.pem"), "--key", certificates.path("server.key"),
                       ca=certificates.path("ca.pem"))
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /echo}
actions:
  - command: send_for_reply
    args: {text: "secret {seq}"}
    sleep_between_rounds: 0
    sleep_after_action: 0.01
""")
    run = swarm(f"localhost:{server.port}", plan, "--connections", "10", "--duration", "2s",
                "--interval", "1h", "--tls", "--tls-ca", certificates.path("ca.pem"), protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    rows = report_rows(final)
    stats = server.stats()
    assert stats["accepted"] == 10, stats
    assert rows["send_for_reply"]["replies"] > 100, final
    assert rows["send_for_reply"]["replies"] <= stats["received"] <= rows["send_for_reply"]["requests"]
    assert no_errors(final), final


def test_lua_module_speaks_websocket_with_the_helpers(tmp_path, ws_server, swarm):
    server = ws_server()
    module_dir = tmp_path / "protocols"
    module_dir.mkdir()
    (module_dir / "wslua.lua").write_text(r'''
local swarm = require("swarm")
local M = {}
local upgrade = "GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" ..
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
function M.echo(client)
  if not client.state.open then
    local head = client:send_for_reply(upgrade, swarm.reply_parser_delimiter("\r\n\r\n"))
    assert(head:find("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 1, true), "bad accept")
    client.state.open = true
  end
  local reply = client:send_for_reply(swarm.ws_frame("lua " .. client.id, "text"), swarm.reply_parser_ws())
  local kind, data = swarm.ws_decode(reply)
  assert(kind == "text" and data == "lua " .. client.id, "echo was " .. tostring(kind) .. " " .. tostring(data))
end
return M
''')
    plan = write_plan(tmp_path, "protocol: wslua\nactions:\n  - command: echo\n    sleep_between_rounds: 0\n    sleep_after_action: 0.01\n")
    run = swarm(server.address, plan, "--connections", "5", "--duration", "2s", "--interval", "1h",
                protocol_dir=module_dir)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    rows = report_rows(final)
    assert rows["echo"]["replies"] > 100, final
    assert no_errors(final), final
    assert rows["echo"]["replies"] - 5 <= server.stats()["received"] <= rows["echo"]["requests"]


def test_the_example_plan_runs(ws_server, swarm):
    server = ws_server()
    run = swarm(server.address, SOURCE_DIR / "examples" / "scripts" / "websocket.yml",
                "--connections", "5", "--duration", "2s", "--interval", "1h", protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    assert report_rows(final)["send_for_reply"]["replies"] >= 5 * 15, final
    assert no_errors(final), final
    assert server.stats()["paths"] == {"/chat": 5}


def test_a_close_while_swarm_sleeps_reconnects_without_waiting_out_the_sleep(tmp_path, ws_server, swarm):
    server = ws_server("--goaway-after", "0.3")
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /goaway}
actions:
  - command: ping
    sleep_between_rounds: 0
    sleep_after_action: 3600
""")
    run = swarm(server.address, plan, "--connections", "5", "--duration", "4s", "--interval", "1h",
                protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    stats = server.stats()
    line = report_line(final, "errors")
    counted = int(line.split("closed:ws_1001")[1].split()[0]) if "closed:ws_1001" in line else 0
    # Each connection is closed 0.3 s after its upgrade; swarm reconnects
    # after a backoff (0.1 s doubling) instead of sleeping an hour on it.
    assert counted >= 15 and stats["closed_1001"] - 5 <= counted <= stats["closed_1001"], (line, stats)
    assert stats["accepted"] >= counted, stats
    assert "going away" in final, final


def test_2000_connections_echo_counted_on_both_sides(tmp_path, ws_server, swarm):
    server = ws_server()
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /echo}
actions:
  - command: send_for_reply
    args: {text: "echo {id} {seq}"}
    sleep_between_rounds: 0
    sleep_after_action: 1s
""")
    run = swarm(server.address, plan, "--connections", "2000", "--connect-rate", "2000",
                "--interval", "1h", protocol_dir=None)
    wait_until(lambda: server.stats()["connections"] == 2000, 60, "2000 websocket connections")
    wait_until(lambda: server.stats()["received"] >= 3 * 2000, 60, "three messages per connection")
    assert run.stop() == 0
    final = final_report(run.process.stdout())
    row = report_rows(final)["send_for_reply"]
    stats = server.stats()
    assert row["replies"] <= stats["sent"] <= stats["received"] <= row["requests"], (row, stats)
    assert row["requests"] - row["replies"] <= 2000, final
    assert row["replies"] >= 3 * 2000 - 2000, final
    assert no_errors(final), final
    assert stats["accepted"] == 2000, stats


def test_rate_mode_paces_the_messages(tmp_path, ws_server, swarm):
    server = ws_server()
    plan = write_plan(tmp_path, """protocol: websocket
on_connect: {path: /echo}
actions:
  - command: send_for_reply
    args: {text: "r{seq}", stamp: true}
""")
    run = swarm(server.address, plan, "--connections", "10", "--rate", "200", "--duration", "3s",
                "--interval", "1h", protocol_dir=None)
    assert run.process.wait_exit(timeout=30) == 0
    final = final_report(run.process.stdout())
    row = report_rows(final)["send_for_reply"]
    # 200 calls a second for 3 s, give or take the first period and the stop.
    assert 500 <= row["calls"] <= 640, final
    assert row["replies"] <= server.stats()["received"] <= row["requests"]
    assert no_errors(final), final
