"""Real TLS servers for the TLS tests: certificates made here with the
`openssl` command (a CA, a server certificate for localhost and 127.0.0.1
signed by it, a client certificate, and a CA nobody used), nginx serving
HTTPS with its access log as the oracle, redis-server on a TLS port
(INFO commandstats over its plain port), and mosquitto with a TLS listener
(clients counted by its $SYS topics over a plain listener).

Every server listens on 127.0.0.1 at a port the kernel picked, and is ended
by the `processes` fixture that started it."""

import os
import shutil
import socket
import struct
import subprocess
from pathlib import Path

import pytest

from conftest import STARTUP_TIMEOUT, free_port, request_line, wait_until


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


class Certificates:
    """ca.pem signs server.pem (localhost, 127.0.0.1) and client.pem;
    other-ca.pem signs nothing here; sni.pem is for the name sni.test."""

    def __init__(self, directory):
        if shutil.which("openssl") is None:
            pytest.fail("the openssl command is missing (apt-get install openssl)")
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        for ca in ("ca", "other-ca"):
            openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "2", "-subj", f"/CN=swarm {ca}",
                    cwd=self.dir)
        self._issue("server", "/CN=localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1")
        self._issue("sni", "/CN=sni.test", "subjectAltName=DNS:sni.test")
        self._issue("client", "/CN=swarm client", "extendedKeyUsage=clientAuth")

    def _issue(self, name, subject, extension):
        (self.dir / f"{name}.ext").write_text(extension + "\n")
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=self.dir)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext", "-out", f"{name}.pem",
                cwd=self.dir)

    def path(self, name):
        return str(self.dir / name)


@pytest.fixture
def certificates(tmp_path):
    return Certificates(tmp_path / "certs")


def wait_listening(port, process, name):
    def probe():
        if not process.running():
            pytest.fail(f"{name} exited: {process.stdout()[-2000:]}\n{process.stderr()[-2000:]}")
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True

    wait_until(probe, STARTUP_TIMEOUT, f"{name} to listen on {port}")


# --------------------------------------------------------------------------
# nginx

NGINX_CONF = """\
daemon off;
master_process off;
worker_rlimit_nofile 4096;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 2048; }}
http {{
  log_format swarm '$request_uri $ssl_protocol $ssl_session_reused $ssl_server_name';
  access_log {dir}/access.log swarm;
  client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp; fastcgi_temp_path {dir}/tmp;
  uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
  keepalive_requests 1000000;
  server {{
    listen 127.0.0.1:{port} ssl default_server;
    ssl_certificate {certs}/server.pem;
    ssl_certificate_key {certs}/server.key;
    ssl_protocols {protocols};
    root {dir}/www;
  }}
  server {{
    listen 127.0.0.1:{port} ssl;
    server_name sni.test;
    ssl_certificate {certs}/sni.pem;
    ssl_certificate_key {certs}/sni.key;
    ssl_protocols {protocols};
    root {dir}/www;
  }}
}}
"""


class Nginx:
    """nginx on one TLS port; its access log has one line per request:
    `uri protocol reused(r or .) server_name`. Another `conf` (a template
    with {dir} and {port}) makes another nginx: plain HTTP needs no
    `certificates`."""

    def __init__(self, start, certificates, directory, protocols="TLSv1.2 TLSv1.3", conf=NGINX_CONF):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(binary):
            pytest.fail("nginx is missing (apt-get install nginx)")
        self.dir = Path(directory)
        (self.dir / "www").mkdir(parents=True, exist_ok=True)
        (self.dir / "tmp").mkdir(exist_ok=True)
        (self.dir / "www" / "small.txt").write_text("hello\n")
        self.port = free_port()
        template, conf = conf, self.dir / "nginx.conf"
        certs = certificates.dir if certificates is not None else ""
        conf.write_text(template.format(dir=self.dir, port=self.port, certs=certs, protocols=protocols))
        self.process = start([binary, "-c", conf, "-e", self.dir / "error.log"], "nginx")
        wait_listening(self.port, self.process, "nginx")

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def requests(self):
        """The access log's lines, split into fields."""
        log = self.dir / "access.log"
        if not log.exists():
            return []
        return [line.split() for line in log.read_text().splitlines() if line.strip()]


@pytest.fixture
def nginx(processes, certificates, tmp_path):
    def start(protocols="TLSv1.2 TLSv1.3"):
        return Nginx(processes, certificates, tmp_path / "nginx", protocols)

    return start


# An HTTP/1.1 module for the tests: GET on a persistent connection, the
# headers framed by their blank line, the body by Content-Length.
HTTP_MODULE = r"""
local swarm = require("swarm")
local M = {}
M._args = { get = { "path" }, close = {} }
local head = swarm.reply_parser_delimiter("\r\n\r\n")
function M.get(client, args)
  local request = "GET " .. (args.path or "/") .. " HTTP/1.1\r\nHost: localhost\r\n\r\n"
  local headers = client:send_for_reply(request, head)
  if headers:sub(1, 12) ~= "HTTP/1.1 200" then
    error("unexpected status: " .. headers:sub(1, 12))
  end
  local length = tonumber(headers:match("\r\n[Cc]ontent%-[Ll]ength: *(%d+)"))
  if length and length > 0 then
    client:send_for_reply("", swarm.reply_parser_length(length))
  end
end
function M.close(client, args)
  client:close_connection()
end
return M
"""


# --------------------------------------------------------------------------
# redis-server with a TLS port


class TlsRedis:
    """redis-server with a TLS port (for swarm) and a plain one (for INFO)."""

    def __init__(self, start, certificates, directory, auth_clients=False):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is missing (apt-get install redis-server)")
        self.port = free_port()
        self.tls_port = free_port()
        directory.mkdir(parents=True, exist_ok=True)
        self.process = start(
            [binary, "--port", self.port, "--tls-port", self.tls_port, "--bind", "127.0.0.1",
             "--tls-cert-file", certificates.path("server.pem"),
             "--tls-key-file", certificates.path("server.key"),
             "--tls-ca-cert-file", certificates.path("ca.pem"),
             "--tls-auth-clients", "yes" if auth_clients else "no",
             "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", directory],
            "redis-tls")
        wait_until(lambda: request_line("127.0.0.1", self.port, "PING") == "+PONG", STARTUP_TIMEOUT,
                   "redis-server to answer PING")

    @property
    def tls_address(self):
        return f"127.0.0.1:{self.tls_port}"

    def info(self, section):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(f"INFO {section}\r\n".encode())
            data = b""
            while True:
                header, _, rest = data.partition(b"\r\n")
                if header.startswith(b"$") and len(rest) >= int(header[1:]):
                    body = rest[: int(header[1:])].decode()
                    break
                chunk = s.recv(65536)
                if not chunk:
                    raise AssertionError("redis closed the INFO connection")
                data += chunk
        return dict(line.split(":", 1) for line in body.splitlines() if ":" in line)

    def calls(self, command):
        """calls=N of `cmdstat_<command>` (0 before the first)."""
        stat = self.info("commandstats").get(f"cmdstat_{command}", "calls=0")
        return int(stat.split(",")[0].split("=")[1])

    def clients(self):
        return int(self.info("clients")["connected_clients"]) - 1  # less our INFO


@pytest.fixture
def tls_redis(processes, certificates, tmp_path):
    def start(auth_clients=False):
        return TlsRedis(processes, certificates, tmp_path / "redis", auth_clients)

    return start


# --------------------------------------------------------------------------
# mosquitto with a TLS listener

MOSQUITTO_CONF = """\
{user}
persistence false
allow_anonymous true
sys_interval 1
log_dest file {dir}/mosquitto.log
listener {plain_port} 127.0.0.1
listener {tls_port} 127.0.0.1
cafile {certs}/ca.pem
certfile {certs}/server.pem
keyfile {certs}/server.key
require_certificate false
"""


class TlsMosquitto:
    """mosquitto with a TLS listener (for swarm) and a plain one, where
    connected_clients() reads $SYS/broker/clients/connected."""

    def __init__(self, start, certificates, directory):
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not os.path.exists(binary):
            pytest.fail("mosquitto is missing (apt-get install mosquitto)")
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.tls_port = free_port()
        conf = directory / "mosquitto.conf"
        user = "user root" if os.geteuid() == 0 else ""  # keep access to the test's files
        conf.write_text(MOSQUITTO_CONF.format(user=user, dir=directory, plain_port=self.port,
                                              tls_port=self.tls_port, certs=certificates.dir))
        self.process = start([binary, "-c", conf], "mosquitto")
        wait_listening(self.port, self.process, "mosquitto")
        wait_listening(self.tls_port, self.process, "mosquitto (TLS)")

    @property
    def tls_address(self):
        return f"127.0.0.1:{self.tls_port}"

    def connected_clients(self):
        """The broker's own count of connected clients (see ConnectedWatch)."""
        if not hasattr(self, "_watch"):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            client_id = b"swarm-test-watch"
            variable = b"\x00\x04MQTT\x04\x02\x00\x00"  # clean session, no keepalive
            payload = struct.pack("!H", len(client_id)) + client_id
            s.sendall(bytes([0x10, len(variable) + len(payload)]) + variable + payload)
            mqtt_read(s)  # CONNACK
            self._watch = ConnectedWatch(s)
        return self._watch.read()


class ConnectedWatch:
    """A mosquitto's count of connected clients, from a watcher that stays
    connected on `sock` (logged in). A reader that connects for each look
    finds the retained value, published before it came or after, and cannot
    tell whether it counts itself (a count of 0 read as -1 failed a test):
    the watcher takes only the broker's updates (every sys_interval, when the
    count changed), less itself."""

    TOPIC = b"$SYS/broker/clients/connected"

    def __init__(self, sock):
        subscribe = struct.pack("!H", 1) + struct.pack("!H", len(self.TOPIC)) + self.TOPIC + b"\x00"
        sock.sendall(bytes([0x82, len(subscribe)]) + subscribe)
        sock.settimeout(0.2)
        self.sock = sock
        self.value = None

    def read(self):
        """The last update's count; raises until the first update came."""
        try:
            while True:
                kind, body = mqtt_read(self.sock)
                if kind >> 4 == 3 and not kind & 0x01:  # PUBLISH, not the retained one
                    length = struct.unpack("!H", body[:2])[0]
                    if body[2 : 2 + length] == self.TOPIC:
                        self.value = int(body[2 + length :]) - 1
        except (socket.timeout, TimeoutError):
            pass
        if self.value is None:
            raise AssertionError("no update of $SYS/broker/clients/connected yet")
        return self.value


def mqtt_read(sock):
    """One MQTT packet: (first byte, body)."""
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise AssertionError("the broker closed the connection")
            data += chunk
        return data

    first = exactly(1)[0]
    length, shift = 0, 0
    while True:
        byte = exactly(1)[0]
        length |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            break
    return first, exactly(length)


@pytest.fixture
def tls_mosquitto(processes, certificates, tmp_path):
    return TlsMosquitto(processes, certificates, tmp_path / "mosquitto")


# An MQTT 3.1.1 module for the tests: CONNECT (answered by CONNACK) and
# PINGREQ (answered by PINGRESP), as a device that stays connected does.
MQTT_MODULE = r"""
local swarm = require("swarm")
local M = {}
M._args = { connect = {}, ping = {} }
local connack = swarm.reply_parser_length(4)
local pingresp = swarm.reply_parser_length(2)
local PINGREQ = string.char(0xC0, 0x00)
function M.connect(client, args)
  local id = string.format("swarm-%d", client.id)
  local variable = "\0\4MQTT\4\2\0\60"
  local payload = string.char(0, #id) .. id
  local packet = string.char(0x10, #variable + #payload) .. variable .. payload
  local reply = client:send_for_reply(packet, connack)
  if reply:byte(1) ~= 0x20 or reply:byte(4) ~= 0 then
    error("CONNACK refused: " .. tostring(reply:byte(4)))
  end
end
function M.ping(client, args)
  local reply = client:send_for_reply(PINGREQ, pingresp)
  if reply:byte(1) ~= 0xD0 then error("not a PINGRESP") end
end
return M
"""
