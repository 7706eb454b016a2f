#!/usr/bin/env python3
"""fault-server: a TCP server that misbehaves on command, for swarm's fault
tests. Real sockets, its own process, standard library only.

    fault_server.py [--listen HOST:PORT] [--mode MODE] [--size BYTES]

Once ready it prints one line:

    fault-server: listening on HOST:PORT control HOST:CPORT

Requests are lines ending in "\\n"; a good answer is "+OK\\r\\n" (a RESP
simple string, and a CRLF line). How a connection is served is decided by the
mode when it is accepted:

    ok         answer each line with +OK
    reset      accept, then reset at once (RST, no FIN)
    close-mid  read a request, send half an answer ("+OK hal") and close
    garbage    answer each line with bytes no RESP parser takes
    one-byte   answer each line with +OK, one byte per packet, 20 ms apart
    silent     read requests, never answer
    no-read    never read (the client's send buffer fills)
    endless    on a request, send a simple string that never ends (no CRLF)
    large      answer each line with a RESP bulk string of --size bytes
    mute       accept, read and drop everything, send nothing: a preamble
               (TLS handshake, HTTP upgrade, a greeting) that never completes

"refuses" and "goes away and comes back" are the control commands down/up.

Control: a line per command on the control port, answered with one line
("+OK ..." or "-ERR ..."):

    mode NAME  serve connections accepted from now on this way
    down       stop listening (connects are refused) and close every connection
    up         listen again on the same port
    stats      "+OK accepted N requests N open N"
    accepts    "+OK t1 t2 ...": monotonic seconds of every accept
"""
import argparse
import socket
import struct
import sys
import threading
import time

MODES = ("ok", "reset", "close-mid", "garbage", "one-byte", "silent", "no-read", "endless",
         "large", "mute")


class FaultServer:
    def __init__(self, host, port, mode, size):
        self.host = host
        self.mode = mode
        self.size = size
        self.lock = threading.Lock()
        self.accept_times = []
        self.requests = 0
        self.clients = set()
        self.listener = None
        self.port = port
        self.generation = 0  # bumped by down: old client threads stop
        self.listen()

    # ------------------------------------------------------------ listening

    def listen(self):
        listener = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(512)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self.accept_loop, args=(listener,), daemon=True).start()

    def accept_loop(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by down
            with self.lock:
                self.accept_times.append(time.monotonic())
                self.clients.add(client)
                mode, generation = self.mode, self.generation
            threading.Thread(target=self.serve, args=(client, mode, generation), daemon=True).start()

    def down(self):
        with self.lock:
            listener, self.listener = self.listener, None
            clients, self.clients = self.clients, set()
            self.generation += 1
        if listener is not None:
            # Closing alone leaves a thread blocked in accept() holding the
            # socket, still accepting: shutdown wakes it and stops the queue.
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()
        for client in clients:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            client.close()

    def up(self):
        if self.listener is None:
            self.listen()

    # ------------------------------------------------------------ serving

    def alive(self, generation):
        return generation == self.generation

    def serve(self, client, mode, generation):
        try:
            getattr(self, "serve_" + mode.replace("-", "_"))(client, generation)
        except OSError:
            pass
        finally:
            with self.lock:
                self.clients.discard(client)
            client.close()

    def lines(self, client, generation):
        """Yields once per request line received, until the peer goes."""
        pending = b""
        while self.alive(generation):
            data = client.recv(65536)
            if not data:
                return
            pending += data
            while b"\n" in pending:
                _, pending = pending.split(b"\n", 1)
                with self.lock:
                    self.requests += 1
                yield

    def answer_each(self, client, generation, answer):
        for _ in self.lines(client, generation):
            client.sendall(answer)

    def serve_ok(self, client, generation):
        self.answer_each(client, generation, b"+OK\r\n")

    def serve_reset(self, client, generation):
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def serve_close_mid(self, client, generation):
        for _ in self.lines(client, generation):
            client.sendall(b"+OK hal")
            return

    def serve_garbage(self, client, generation):
        self.answer_each(client, generation, b"\x00garbage\xff\r\n")

    def serve_one_byte(self, client, generation):
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in self.lines(client, generation):
            for byte in b"+OK\r\n":
                client.sendall(bytes([byte]))
                time.sleep(0.02)

    def serve_silent(self, client, generation):
        for _ in self.lines(client, generation):
            pass

    def serve_no_read(self, client, generation):
        while self.alive(generation):
            time.sleep(0.05)

    def serve_endless(self, client, generation):
        chunk = b"x" * 65536
        for _ in self.lines(client, generation):
            client.sendall(b"+")
            while self.alive(generation):
                client.sendall(chunk)

    def serve_large(self, client, generation):
        self.answer_each(client, generation, b"$%d\r\n%s\r\n" % (self.size, b"y" * self.size))

    def serve_mute(self, client, generation):
        while self.alive(generation) and client.recv(65536):
            pass

    # ------------------------------------------------------------ control

    def control(self, line):
        words = line.split()
        if not words:
            return "-ERR empty command"
        command, args = words[0], words[1:]
        if command == "mode" and len(args) == 1 and args[0] in MODES:
            with self.lock:
                self.mode = args[0]
            return "+OK"
        if command == "down":
            self.down()
            return "+OK"
        if command == "up":
            self.up()
            return "+OK"
        if command == "stats":
            with self.lock:
                return f"+OK accepted {len(self.accept_times)} requests {self.requests} open {len(self.clients)}"
        if command == "accepts":
            with self.lock:
                return "+OK " + " ".join(f"{t:.4f}" for t in self.accept_times)
        return f"-ERR unknown command {line!r} (mode NAME|down|up|stats|accepts; modes: {' '.join(MODES)})"


def serve_control(server, control):
    while True:
        peer, _ = control.accept()
        with peer, peer.makefile("rw", newline="\n") as stream:
            for line in stream:
                stream.write(server.control(line.strip()) + "\n")
                stream.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT to serve on (port 0: any)")
    parser.add_argument("--mode", default="ok", choices=MODES)
    parser.add_argument("--size", type=int, default=2 * 1024 * 1024, help="bytes of a `large` answer")
    args = parser.parse_args()
    host, _, port = args.listen.rpartition(":")
    host = host.strip("[]")
    server = FaultServer(host, int(port), args.mode, args.size)
    control = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    control.bind((host, 0))
    control.listen(8)
    shown = f"[{host}]" if ":" in host else host
    print(f"fault-server: listening on {shown}:{server.port} control {shown}:{control.getsockname()[1]}",
          flush=True)
    serve_control(server, control)


if __name__ == "__main__":
    sys.exit(main())
