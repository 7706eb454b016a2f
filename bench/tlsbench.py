"""TLS peers for the benchmarks: a CA and a server certificate made with the
`openssl` command, nginx serving a small file over TLS (its stub_status,
on a plain port, counts the requests), redis-server on a TLS port, and the
small HTTP/1.1 Lua module swarm loads. Standard library only; every process
started here is ended by PID."""
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

import benchlib as b

# GET on a persistent connection: headers framed by their blank line, the
# body by Content-Length (two reads in swarm's counts, one request to nginx).
HTTP_MODULE = r"""
local swarm = require("swarm")
local M = {}
M._args = { get = { "path" }, close = {} }
local head = swarm.reply_parser_delimiter("\r\n\r\n")
local requests = {}
local bodies = {}
function M.get(client, args)
  local path = args.path or "/"
  local request = requests[path]
  if request == nil then
    request = "GET " .. path .. " HTTP/1.1\r\nHost: localhost\r\n\r\n"
    requests[path] = request
  end
  local headers = client:send_for_reply(request, head)
  if headers:sub(1, 12) ~= "HTTP/1.1 200" then error("status " .. headers:sub(1, 12)) end
  -- nginx writes "Content-Length: N\r\n": a plain find (patterns are slow).
  local at = headers:find("\r\nContent-Length: ", 1, true)
  local length = at and tonumber(headers:sub(at + 18, headers:find("\r", at + 18, true) - 1))
  if length and length > 0 then
    local body = bodies[length]
    if body == nil then
      body = swarm.reply_parser_length(length)
      bodies[length] = body
    end
    client:send_for_reply("", body)
  end
end
function M.close(client, args)
  client:close_connection()
end
return M
"""


class Certificates:
    """ca.pem signs server.pem (localhost, 127.0.0.1), EC P-256 keys."""

    def __init__(self):
        if not shutil.which("openssl"):
            sys.exit("the openssl command is missing (apt-get install -y openssl)")
        self.dir = tempfile.mkdtemp(prefix="swarm-bench-tls-")

        def run(*args):
            subprocess.run(["openssl", *args], cwd=self.dir, check=True, capture_output=True)

        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=swarm bench ca")
        with open(os.path.join(self.dir, "server.ext"), "w") as ext:
            ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
        run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-extfile", "server.ext", "-out", "server.pem")

    def path(self, name):
        return os.path.join(self.dir, name)

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)


NGINX_CONF = """\
daemon off;
master_process off;
worker_rlimit_nofile 20000;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 16000; }}
http {{
  access_log off;
  client_body_temp_path {dir}/tmp; proxy_temp_path {dir}/tmp; fastcgi_temp_path {dir}/tmp;
  uwsgi_temp_path {dir}/tmp; scgi_temp_path {dir}/tmp;
  keepalive_requests 100000000;
  keepalive_timeout 3600s;
  server {{
    listen 127.0.0.1:{port} ssl backlog=4096;
    ssl_certificate {certs}/server.pem;
    ssl_certificate_key {certs}/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root {dir}/www;
  }}
  server {{
    listen 127.0.0.1:{status_port};
    location = /status {{ stub_status; }}
  }}
}}
"""


class Nginx:
    """nginx (one process) serving /small.txt over TLS; requests() reads its
    own count of requests handled (less the status requests)."""

    def __init__(self, certificates):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(binary):
            sys.exit("nginx is missing (apt-get install -y nginx)")
        self.dir = tempfile.mkdtemp(prefix="swarm-bench-nginx-")
        os.makedirs(os.path.join(self.dir, "www"))
        os.makedirs(os.path.join(self.dir, "tmp"))
        with open(os.path.join(self.dir, "www", "small.txt"), "w") as small:
            small.write("hello from nginx over TLS\n")
        self.port = b.free_port()
        self.status_port = b.free_port()
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as out:
            out.write(NGINX_CONF.format(dir=self.dir, port=self.port, status_port=self.status_port,
                                        certs=certificates.dir))
        self.process = subprocess.Popen([binary, "-c", conf, "-e", os.path.join(self.dir, "error.log")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.status_reads = 0
        b.wait_until(self._answers, 10, "nginx to answer")

    def _answers(self):
        try:
            self.requests()
            return True
        except OSError:
            return False

    def counts(self):
        """(connections accepted, requests), less the status requests' own."""
        url = f"http://127.0.0.1:{self.status_port}/status"
        with urllib.request.urlopen(url, timeout=5) as reply:
            text = reply.read().decode()
        self.status_reads += 1
        # "server accepts handled requests\n 1 1 1"
        accepts, _, requests = (int(n) for n in text.splitlines()[2].split())
        return accepts - self.status_reads, requests - self.status_reads

    def requests(self):
        return self.counts()[1]

    def close(self):
        self.process.terminate()
        self.process.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def write_module(directory):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "http.lua"), "w") as module:
        module.write(HTTP_MODULE)
    return directory
