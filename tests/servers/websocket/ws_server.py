#!/usr/bin/env python3
"""A WebSocket server for swarm's tests, on Debian's python3-websockets
(10.x, its asyncio API). What it does depends on the path a client asks for:

  /echo        echoes every message
  /broadcast   holds the connection; GET /broadcast?count=N&size=B sends N
               messages of B bytes to every /broadcast client (websockets'
               broadcast())
  /fragments   answers every message with its echo in three fragments, a
               ping between the first two
  /pings       pings the client every --ping-every seconds and closes with
               1011 when a pong does not come within --ping-timeout
  /close1011   echoes --close-after messages, then closes with 1011
  /goaway      closes with 1001 --goaway-after seconds after the upgrade,
               whatever the client does
  /refuse      answers the upgrade with 403
  /badutf8     answers every message with a text frame that is not UTF-8
               (raw frame bytes: websockets itself only sends valid text)
  /badclose    answers the first message with a close 1000 whose reason is
               not UTF-8 (raw frame bytes, as above)
Every path agrees on subprotocol "chat.v2" when the client offers it.

Plain HTTP GET /stats answers the counts as JSON (the tests' oracle).
Listens on 127.0.0.1 at the port given (0: one the kernel picks) and prints
"listening on PORT"; --cert and --key make it wss; with --reuse-port several
processes share one port (the kernel spreads the connections)."""

import argparse
import asyncio
import http
import json
import ssl
import sys
import urllib.parse

import websockets

STATS = {
    "connections": 0,      # open now
    "accepted": 0,         # upgrades accepted
    "received": 0,         # messages received
    "received_bytes": 0,
    "sent": 0,             # data messages sent (echoes, broadcasts)
    "broadcast_sent": 0,   # messages handed to broadcast(), per client
    "pings_sent": 0,
    "pongs_received": 0,
    "ping_timeouts": 0,
    "closed_1011": 0,
    "closed_1001": 0,
    "client_closes": {},   # close code the client sent -> count
    "subprotocols": {},    # agreed subprotocol -> count
    "origins": {},         # Origin header -> count
    "paths": {},           # path -> upgrades
}
BROADCAST = set()
ARGS = None


async def process_request(path, headers):
    parsed = urllib.parse.urlparse(path)
    if parsed.path == "/stats":
        body = json.dumps(STATS).encode()
        return http.HTTPStatus.OK, [("Content-Type", "application/json")], body
    if parsed.path == "/broadcast" and "upgrade" not in headers.get("Connection", "").lower():
        query = urllib.parse.parse_qs(parsed.query)
        count = int(query.get("count", ["1"])[0])
        size = int(query.get("size", ["16"])[0])
        for i in range(count):
            message = (f"b{i}:" + "x" * size)[:max(size, 1)]
            websockets.broadcast(BROADCAST, message)
            STATS["broadcast_sent"] += len(BROADCAST)
            await asyncio.sleep(0)
        return http.HTTPStatus.OK, [], f"sent {count} to {len(BROADCAST)}\n".encode()
    if parsed.path == "/refuse":
        return http.HTTPStatus.FORBIDDEN, [], b"no\n"
    return None


def bump(table, key):
    table[key] = table.get(key, 0) + 1


async def count_messages(ws):
    async for message in ws:
        STATS["received"] += 1
        STATS["received_bytes"] += len(message)
        yield message


async def echo(ws):
    async for message in count_messages(ws):
        await ws.send(message)
        STATS["sent"] += 1


async def fragments(ws):
    async for message in count_messages(ws):
        third = max(1, len(message) // 3)
        parts = [message[:third], message[third:2 * third], message[2 * third:]]

        async def pieces():
            yield parts[0]
            await ws.ping(b"between")
            STATS["pings_sent"] += 1
            yield parts[1]
            yield parts[2]

        await ws.send(pieces())
        STATS["sent"] += 1


async def pings(ws):
    async def keep_pinging():
        while True:
            await asyncio.sleep(ARGS.ping_every)
            waiter = await ws.ping()
            STATS["pings_sent"] += 1
            try:
                await asyncio.wait_for(waiter, ARGS.ping_timeout)
            except asyncio.TimeoutError:
                STATS["ping_timeouts"] += 1
                await ws.close(1011, "keepalive ping timeout")
                return
            STATS["pongs_received"] += 1

    pinger = asyncio.ensure_future(keep_pinging())
    try:
        await echo(ws)
    finally:
        pinger.cancel()


async def close_1011(ws):
    seen = 0
    async for message in count_messages(ws):
        seen += 1
        if seen > ARGS.close_after:
            STATS["closed_1011"] += 1
            await ws.close(1011, "the test server gives up")
            return
        await ws.send(message)
        STATS["sent"] += 1


async def bad_utf8(ws):
    async for _ in count_messages(ws):
        await ws.write_frame(True, websockets.frames.Opcode.TEXT, b"caf\xc3 au lait")
        STATS["sent"] += 1


async def bad_close(ws):
    async for _ in count_messages(ws):
        await ws.write_frame(True, websockets.frames.Opcode.CLOSE, b"\x03\xe8bye \xc0")
        STATS["sent"] += 1


async def goaway(ws):
    await asyncio.sleep(ARGS.goaway_after)
    STATS["closed_1001"] += 1
    await ws.close(1001, "going away")


async def broadcast(ws):
    BROADCAST.add(ws)
    try:
        await echo(ws)
    finally:
        BROADCAST.discard(ws)


HANDLERS = {"/echo": echo, "/fragments": fragments, "/pings": pings, "/close1011": close_1011,
            "/broadcast": broadcast, "/goaway": goaway, "/badutf8": bad_utf8, "/badclose": bad_close,
            "/sub": echo,
            "/": echo}


async def handler(ws):
    route = urllib.parse.urlparse(ws.path).path
    STATS["connections"] += 1
    STATS["accepted"] += 1
    bump(STATS["paths"], route)
    if ws.subprotocol:
        bump(STATS["subprotocols"], ws.subprotocol)
    origin = ws.request_headers.get("Origin")
    if origin:
        bump(STATS["origins"], origin)
    try:
        await HANDLERS.get(route, echo)(ws)
    except websockets.ConnectionClosed:
        pass
    finally:
        STATS["connections"] -= 1
        if ws.close_code is not None and ws.close_code not in (1001, 1011):
            bump(STATS["client_closes"], str(ws.close_code))


async def main():
    context = None
    if ARGS.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(ARGS.cert, ARGS.key)
    async with websockets.serve(handler, "127.0.0.1", ARGS.port, ssl=context,
                                process_request=process_request, ping_interval=None,
                                subprotocols=["chat.v2"],
                                max_size=2 ** 22, backlog=4096,
                                reuse_port=ARGS.reuse_port or None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening on {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--ping-every", type=float, default=0.2)
    parser.add_argument("--ping-timeout", type=float, default=1.0)
    parser.add_argument("--close-after", type=int, default=3)
    parser.add_argument("--goaway-after", type=float, default=0.3)
    parser.add_argument("--reuse-port", action="store_true",
                        help="SO_REUSEPORT: several processes share the port (benchmarks)")
    ARGS = parser.parse_args()
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
