"""--tls against real servers: nginx (HTTPS, its access log the oracle),
redis-server's TLS port (INFO commandstats) and mosquitto's TLS listener
($SYS client count), with Lua and native modules that know nothing of TLS.
Failures are counted by kind with their first message: a CA that did not
sign the certificate (tls_verify, no traffic), a server that wants a client
certificate or a protocol swarm does not offer (tls_alert:<name>), a server
that never answers the ClientHello (connect_timeout). --tls-resume resumes
sessions on reconnects, as both swarm and nginx count."""

import re
from pathlib import Path

import pytest

from conftest import SCRIPTS, load_report, wait_until
from tls_servers import (  # noqa: F401 - fixtures
    HTTP_MODULE,
    MQTT_MODULE,
    certificates,
    nginx,
    tls_mosquitto,
    tls_redis,
)

GET_PLAN = """\
protocol: http
actions:
  - command: get
    args: {path: /small.txt}
    sleep_between_rounds: 50ms
    sleep_after_action: 0
"""

RECONNECT_PLAN = """\
protocol: http
actions:
  - command: get
    args: {path: /small.txt}
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: close
    sleep_between_rounds: 0
    sleep_after_action: 20ms
"""

PING_PLAN = """\
protocol: redis
actions:
  - command: PING
    sleep_between_rounds: 20ms
    sleep_after_action: 0
"""


def final_report(run):
    out = run.process.stdout()
    return out[out.rfind("swarm final report"):]


def count_in(text, word):
    """The count after `word` in the report's error items (0 when absent)."""
    match = re.search(rf"(?<![\w:-]){re.escape(word)} (\d+)", text)
    return int(match.group(1)) if match else 0


def stat(run):
    with run.console() as console:
        console.greeting()
        return console.command("stat")


def handshakes(text):
    match = re.search(r"^tls\s+handshakes (\d+)\s+resumed (\d+)", text, re.M)
    assert match, f"no tls line in:\n{text}"
    return int(match.group(1)), int(match.group(2))


@pytest.fixture
def http_module(write_file):
    return write_file("mods/http.lua", HTTP_MODULE).parent


def test_https_requests_reach_nginx_over_tls(nginx, certificates, swarm, write_file, http_module):
    server = nginx()
    plan = write_file("get.yml", GET_PLAN)
    run = swarm(server.address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"),
                "--connections", 10, "--interval", "500ms", protocol_dir=http_module)
    wait_until(server.requests, 20, "nginx to log 200 requests", check=lambda r: len(r) >= 200)
    status = stat(run)
    assert run.stop() == 0
    logged = server.requests()
    final = final_report(run)
    replies = int(re.search(r"replies (\d+)", final).group(1))
    # Each GET is two replies in swarm (headers, then body), one line in nginx.
    # nginx also logs a GET whose answer was on its way when stop closed the
    # connection: at most one per connection.
    assert replies // 2 <= len(logged) <= replies // 2 + 10, final
    assert {fields[0] for fields in logged} == {"/small.txt"}
    assert {fields[1] for fields in logged} == {"TLSv1.3"}
    assert handshakes(final)[0] == 10, final
    assert "errors        none" in final, final
    assert re.search(r"^\s+@handshake\s+10\s", final, re.M), final
    assert re.search(r"^\s+@handshake .*\|\s+\d", status, re.M), status
    assert re.search(r"tls: 127\.0\.0\.1:\d+: TLSv1\.3 \S+, ALPN not offered, certificate "
                     r"/CN=localhost \(verified\)", run.process.stdout())


def test_a_ca_that_did_not_sign_the_certificate_is_tls_verify_and_no_traffic(
        nginx, certificates, swarm, write_file, http_module, tmp_path):
    server = nginx()
    plan = write_file("get.yml", GET_PLAN)
    report = tmp_path / "report.json"
    run = swarm(server.address, plan, "--tls", "--tls-ca", certificates.path("other-ca.pem"),
                "--connections", 5, "--interval", "500ms", "--connect-timeout", "2s",
                "--report", report, protocol_dir=http_module)
    wait_until(lambda: stat(run), 15, "tls_verify errors", check=lambda s: count_in(s, "tls_verify") >= 5)
    assert run.stop() == 0
    final = final_report(run)
    assert count_in(final, "tls_verify") >= 5, final
    assert re.search(r"tls_verify: 127\.0\.0\.1:\d+: certificate verify failed: unable to get local "
                     r"issuer certificate \(subject /CN=localhost, issuer /CN=swarm ca", final), final
    assert server.requests() == []
    assert handshakes(final)[0] == 0
    # The JSON report says the same.
    document = load_report(report)
    assert document["connections"]["tls"]["handshakes"] == 0
    assert document["errors"]["by_reason"]["tls_verify"] == count_in(final, "tls_verify")
    [kind] = document["errors"]["kinds"]
    assert kind["kind"] == "tls_verify" and kind["count"] == count_in(final, "tls_verify")
    assert "unable to get local issuer certificate" in kind["first_message"]


def test_resume_skips_the_full_handshake_on_reconnects(nginx, certificates, swarm, write_file,
                                                      http_module, tmp_path):
    server = nginx()
    plan = write_file("reconnect.yml", RECONNECT_PLAN)
    report = tmp_path / "report.json"
    run = swarm(server.address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"), "--tls-resume",
                "--connections", 4, "--interval", "500ms", "--report", report, protocol_dir=http_module)
    wait_until(server.requests, 20, "nginx to log 100 requests", check=lambda r: len(r) >= 100)
    assert run.stop() == 0
    final = final_report(run)
    made, resumed = handshakes(final)
    reused_at_nginx = sum(1 for fields in server.requests() if fields[2] == "r")
    assert made >= 100 and resumed >= made * 0.8, final
    # Both sides count the same resumptions (a connection whose GET had not
    # been logged when the run stopped may be missing from nginx's).
    assert abs(reused_at_nginx - resumed) <= 4, (reused_at_nginx, final)
    tls = load_report(report)["connections"]["tls"]
    assert (tls["handshakes"], tls["resumed"]) == (made, resumed)
    assert tls["handshake_time"]["count"] == made


def test_without_resume_every_reconnect_is_a_full_handshake(nginx, certificates, swarm, write_file,
                                                           http_module):
    server = nginx()
    plan = write_file("reconnect.yml", RECONNECT_PLAN)
    run = swarm(server.address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"),
                "--connections", 4, "--interval", "500ms", protocol_dir=http_module)
    wait_until(server.requests, 20, "nginx to log 40 requests", check=lambda r: len(r) >= 40)
    assert run.stop() == 0
    assert handshakes(final_report(run))[1] == 0
    assert all(fields[2] == "." for fields in server.requests())


def test_sni_picks_the_certificate_and_the_name_it_is_checked_against(
        nginx, certificates, swarm, write_file, http_module):
    server = nginx()
    plan = write_file("get.yml", GET_PLAN)
    run = swarm(server.address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"), "--tls-sni",
                "sni.test", "--connections", 2, "--interval", "500ms", protocol_dir=http_module)
    wait_until(server.requests, 15, "requests logged", check=lambda r: len(r) >= 10)
    assert run.stop() == 0
    assert {fields[3] for fields in server.requests()} == {"sni.test"}
    assert "certificate /CN=sni.test (verified)" in run.process.stdout()


def test_an_alpn_protocol_the_server_lacks_is_its_alert(nginx, certificates, swarm, write_file,
                                                       http_module):
    server = nginx()
    plan = write_file("get.yml", GET_PLAN)
    run = swarm(server.address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"), "--tls-alpn",
                "h2,spdy/1", "--connections", 2, "--interval", "500ms", protocol_dir=http_module)
    name = "tls_alert:no_application_protocol"
    wait_until(lambda: stat(run), 15, name, check=lambda s: count_in(s, name) >= 2)
    assert run.stop() == 0
    final = final_report(run)
    assert re.search(rf"{name}: 127\.0\.0\.1:\d+: the server sent alert no_application_protocol "
                     r"\(120\) during the handshake", final), final
    assert server.requests() == []


def test_a_version_the_server_refuses_is_its_alert(nginx, certificates, swarm, write_file, http_module):
    server = nginx(protocols="TLSv1.2")
    plan = write_file("get.yml", GET_PLAN)
    run = swarm(server.address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"),
                "--tls-min-version", "1.3", "--connections", 2, "--interval", "500ms",
                protocol_dir=http_module)
    name = "tls_alert:protocol_version"
    wait_until(lambda: stat(run), 15, name, check=lambda s: count_in(s, name) >= 2)
    assert run.stop() == 0
    assert server.requests() == []


def test_redis_over_tls_with_the_lua_module(tls_redis, certificates, swarm, write_file):
    server = tls_redis()
    before = server.calls("ping")  # the fixture's own, over the plain port
    plan = write_file("ping.yml", PING_PLAN)
    run = swarm(server.tls_address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"),
                "--connections", 8, "--interval", "500ms")
    wait_until(server.clients, 15, "redis to see 8 clients", check=lambda c: c == 8)
    wait_until(lambda: server.calls("ping"), 15, "200 PINGs", check=lambda c: c >= before + 200)
    assert run.stop() == 0
    final = final_report(run)
    sent = int(re.search(r"requests (\d+)", final).group(1))
    assert server.calls("ping") - before == sent, final
    assert "errors        none" in final, final


def test_redis_over_tls_with_the_native_module(tls_redis, certificates, swarm, swarm_bin):
    modules = Path(swarm_bin).parent / "modules"
    if not (modules / "redis_native.so").is_file():
        pytest.fail(f"no {modules / 'redis_native.so'}: build the project first")
    server = tls_redis()
    run = swarm(server.tls_address, SCRIPTS / "redis-native.yml", "--tls", "--tls-ca",
                certificates.path("ca.pem"), "--connections", 4, "--interval", "500ms",
                protocol_dir=modules)
    wait_until(lambda: server.calls("incr"), 15, "INCRs", check=lambda c: c >= 8)
    assert run.stop() == 0
    final = final_report(run)
    assert "errors        none" in final, final
    assert server.info("keyspace").get("db0", "").startswith("keys=2")


def test_a_server_that_wants_a_client_certificate(tls_redis, certificates, swarm, write_file):
    server = tls_redis(auth_clients=True)
    before = server.calls("ping")  # the fixture's own, over the plain port
    plan = write_file("ping.yml", PING_PLAN)
    # Without one: the server's alert, by name (TLS 1.3 sends it after the
    # handshake, when the client's first read finds it).
    run = swarm(server.tls_address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"),
                "--connections", 3, "--interval", "500ms")
    name = "tls_alert:certificate_required"
    wait_until(lambda: stat(run), 15, name, check=lambda s: count_in(s, name) >= 3)
    assert run.stop() == 0
    final = final_report(run)
    assert re.search(rf"{name}: 127\.0\.0\.1:\d+: the server sent alert certificate_required "
                     r"\(116\) after the handshake", final), final
    assert server.calls("ping") == before
    # With one: PINGs are answered.
    run = swarm(server.tls_address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"), "--tls-cert",
                certificates.path("client.pem"), "--tls-key", certificates.path("client.key"),
                "--connections", 3, "--interval", "500ms")
    wait_until(lambda: server.calls("ping"), 15, "PINGs with a client certificate",
               check=lambda c: c >= before + 30)
    assert run.stop() == 0
    assert "errors        none" in final_report(run)


def test_mqtt_clients_stay_connected_over_tls(tls_mosquitto, certificates, swarm, write_file):
    mods = write_file("mods/mqtt.lua", MQTT_MODULE).parent
    plan = write_file("mqtt.yml", """\
protocol: mqtt
actions:
  - command: connect
    sleep_between_rounds: 0
    sleep_after_action: 0
  - command: ping
    rounds: 1000000
    sleep_between_rounds: 200ms
""")
    run = swarm(tls_mosquitto.tls_address, plan, "--tls", "--tls-ca", certificates.path("ca.pem"),
                "--connections", 20, "--interval", "500ms", protocol_dir=mods)
    wait_until(tls_mosquitto.connected_clients, 20, "mosquitto to count 20 clients",
               check=lambda c: c == 20)
    status = stat(run)
    assert run.stop() == 0
    wait_until(tls_mosquitto.connected_clients, 20, "mosquitto to count 0 clients",
               check=lambda c: c == 0)
    final = final_report(run)
    assert "errors        none" in final, final
    assert re.search(r"^\s+ping\s+[\d.]+\s", status, re.M), status


def test_a_server_that_never_answers_the_hello_is_a_connect_timeout(scripted_server, swarm, write_file,
                                                                   http_module):
    silent = scripted_server(lambda data: None)  # takes the ClientHello, says nothing
    plan = write_file("get.yml", GET_PLAN)
    run = swarm(silent.address, plan, "--tls", "--tls-insecure", "--connections", 3,
                "--connect-timeout", "300ms", "--interval", "500ms", protocol_dir=http_module)
    wait_until(lambda: stat(run), 15, "connect timeouts", check=lambda s: count_in(s, "connect_timeout") >= 3)
    assert run.stop() == 0
    assert silent.accepted >= 3


def test_insecure_is_said_loudly_and_connects_to_an_unknown_certificate(
        nginx, swarm, write_file, http_module):
    server = nginx()
    plan = write_file("get.yml", GET_PLAN)
    run = swarm(server.address, plan, "--tls", "--tls-insecure", "--connections", 2, "--interval",
                "500ms", protocol_dir=http_module)
    wait_until(server.requests, 15, "requests logged", check=lambda r: len(r) >= 10)
    assert run.stop() == 0
    for stream in (run.process.stdout(), run.process.stderr()):
        assert "WARNING: --tls-insecure: server certificates are NOT verified" in stream
    assert "(NOT verified: --tls-insecure)" in run.process.stdout()


def test_a_plain_server_is_a_handshake_failure_that_says_so(scripted_server, swarm, write_file):
    plain = scripted_server(lambda data: b"-ERR unknown command\r\n")
    plan = write_file("ping.yml", PING_PLAN)
    run = swarm(plain.address, plan, "--tls", "--tls-insecure", "--connections", 2,
                "--interval", "500ms")
    wait_until(lambda: stat(run), 15, "tls_handshake errors", check=lambda s: count_in(s, "tls_handshake") >= 2)
    assert run.stop() == 0
    assert "does the server speak TLS on this port?" in final_report(run)


@pytest.mark.parametrize("flags, message", [
    (["--tls-ca", "/nonexistent.pem"], "--tls-ca: Path does not exist: /nonexistent.pem"),
    (["--tls-resume"], "--tls-resume requires --tls"),
    (["--tls", "--tls-min-version", "1.1"], "--tls-min-version: 1.1 not in {1.2,1.3}"),
])
def test_tls_flags_are_checked_before_anything_opens(swarm, write_file, flags, message, http_module):
    plan = write_file("get.yml", GET_PLAN)
    run = swarm("127.0.0.1:1", plan, *flags, protocol_dir=http_module, wait=False)
    assert run.process.wait_exit() == 2
    assert message in run.process.stderr() + run.process.stdout()
