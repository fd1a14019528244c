"""Slow, hoarding and flooding clients do not lock a peer out of a real sync server.

Everything runs on loopback, over plain HTTP and over HTTPS (a throwaway certificate). The slow
clients are raw sockets that connect and then idle, trickle partial headers or a body a byte at
a time, or pipeline requests whose answers they never read; over HTTPS also ones that never
start the TLS handshake or trickle it a byte at a time. Some come from 127.0.0.2 (Linux answers
the whole 127/8 block) to exercise the per-address cap. The peer is a real `SyncClient`, as
`erasmo sync` runs it.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.client import HTTPSConnection
from typing import Any

import pytest
from test_sync_support import Install, call, client, serve

from erasmo.sync.guarded import ConnectionLimits
from erasmo.sync.serving import SyncServer

SLOW = 200
HEADERS = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
BODY = (
    b"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100000\r\n\r\n{"
)
PIPELINED = b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 50


@dataclass(frozen=True)
class Scheme:
    """How the server is reached: `tls` is the client's context over HTTPS, None over HTTP."""

    options: dict[str, Any]
    tls: ssl.SSLContext | None = None


@pytest.fixture(params=["http", "https"])
def scheme(request: pytest.FixtureRequest) -> Scheme:
    if request.param == "http":
        return Scheme({})
    cert, key = request.getfixturevalue("certificate")
    return Scheme({"cert": cert, "key": key}, ssl.create_default_context(cafile=str(cert)))


def connect(
    server: SyncServer, source: str = "127.0.0.1", tls: ssl.SSLContext | None = None
) -> socket.socket:
    """A connection to `server` from `source`; over TLS (handshake done) when `tls` is given."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.settimeout(5)
    sock.connect(("127.0.0.1", server.port))
    if tls is not None:
        return tls.wrap_socket(sock, server_hostname="127.0.0.1")
    return sock


def client_hello(tls: ssl.SSLContext) -> bytes:
    """The first bytes a TLS client sends (its ClientHello), to be trickled by hand."""
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    with contextlib.suppress(ssl.SSLWantReadError):
        tls.wrap_bio(incoming, outgoing, server_hostname="127.0.0.1").do_handshake()
    return outgoing.read()


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed `sock` (it reads end-of-file or a reset)."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
        return False
    except OSError:
        return True
    finally:
        sock.settimeout(5)


class Trickler:
    """Sends one byte to each socket every `every` seconds, from a thread, until stopped: the
    next byte of its `feeds` entry if it has one, else "a"."""

    def __init__(
        self,
        sockets: list[socket.socket],
        every: float = 0.2,
        feeds: dict[socket.socket, bytes] | None = None,
    ) -> None:
        self.sockets = sockets
        self.every = every
        self.feeds = {sock: iter(data) for sock, data in (feeds or {}).items()}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for _ in range(3_000):  # bounded: 10 minutes at most
            if self.stopped.wait(self.every):
                return
            for sock in self.sockets:
                feed = self.feeds.get(sock)
                byte = bytes([next(feed, 97)]) if feed is not None else b"a"
                with contextlib.suppress(OSError):
                    sock.send(byte)

    def __enter__(self) -> Trickler:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join(10)


@dataclass
class Held:
    """Slow connections held open, by kind; `handshakes` (TLS only) trickle a ClientHello."""

    idle: list[socket.socket]
    headers: list[socket.socket]
    bodies: list[socket.socket]
    unread: list[socket.socket]
    handshakes: dict[socket.socket, bytes]

    @property
    def trickling(self) -> list[socket.socket]:
        return [*self.headers, *self.bodies, *self.handshakes]

    def __iter__(self) -> Iterator[socket.socket]:
        yield from (*self.idle, *self.headers, *self.bodies, *self.unread, *self.handshakes)


def hold_slow_connections(
    server: SyncServer, count: int, tls: ssl.SSLContext | None = None
) -> Held:
    """`count` slow connections in four kinds: idle (over TLS: never starting the handshake),
    partial headers, slow body, unread answers; over TLS a fifth: a trickled handshake."""
    held = Held([], [], [], [], {})
    hello = client_hello(tls) if tls is not None else b""
    kinds = 5 if tls is not None else 4
    for n in range(count):
        kind = n % kinds
        if kind == 4:
            held.handshakes[connect(server)] = hello
            continue
        sock = connect(server, tls=tls if kind else None)
        if kind == 1:
            sock.sendall(HEADERS)
            held.headers.append(sock)
        elif kind == 2:
            sock.sendall(BODY)
            held.bodies.append(sock)
        elif kind == 3:
            sock.sendall(PIPELINED)
            held.unread.append(sock)
        else:
            held.idle.append(sock)
    return held


def test_a_sync_succeeds_while_200_slow_connections_are_held(
    alpha: Install, beta: Install, scheme: Scheme
) -> None:
    pid = alpha.open("Tech")  # opened with 10,000.00: 2 events
    alpha.deposit(pid, "250")  # 3 events
    server = serve(alpha, **scheme.options)
    held = hold_slow_connections(server, SLOW, scheme.tls)
    sockets = list(held)
    assert len(sockets) == SLOW
    cafile = scheme.options.get("cert")
    try:
        with Trickler(held.trickling, feeds=held.handshakes):
            summary = client(beta, server, cafile=cafile).sync()
        assert summary.pulled == 3
        assert beta.state()[pid] == ("Tech", 3, alpha.app.portfolio(pid).cash, False)
        # Held connections beyond the per-address cap were closed to make room.
        still_open = [s for s in sockets if not closed_by_server(s)]
        assert len(still_open) <= ConnectionLimits().per_address
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def test_one_address_holds_at_most_its_cap_and_others_still_connect(
    alpha: Install, scheme: Scheme
) -> None:
    limits = ConnectionLimits(per_address=8)
    server = serve(alpha, limits=limits, **scheme.options)
    hoarder = [connect(server, "127.0.0.2", scheme.tls) for _ in range(40)]
    try:
        for sock in hoarder:
            sock.sendall(HEADERS)  # all of them are still sending their request
        closed: list[socket.socket] = []
        for _ in range(200):  # until the server has closed all it must (bounded)
            closed = [s for s in hoarder if closed_by_server(s)]
            if len(closed) >= 40 - 8:
                break
            threading.Event().wait(0.05)
        assert len(closed) == 40 - 8
        # The oldest were closed first: the 8 kept are the last 8 that connected.
        assert [s for s in hoarder if s not in closed] == hoarder[-8:]
        status, answer = health(server, scheme)
        assert (status, answer["status"]) == (200, "ok")
    finally:
        for sock in hoarder:
            sock.close()
        server.stop()


def test_a_request_trickled_past_its_deadline_is_closed(alpha: Install, scheme: Scheme) -> None:
    """A byte every 0.2 s keeps a connection active, but its headers must finish in time (and
    over TLS, its handshake too)."""
    limits = ConnectionLimits(header_seconds=1, body_seconds=1)
    server = serve(alpha, limits=limits, **scheme.options)
    slow_headers, slow_body = connect(server, tls=scheme.tls), connect(server, tls=scheme.tls)
    slow_headers.sendall(HEADERS)
    slow_body.sendall(BODY)
    slow = [slow_headers, slow_body]
    feeds = {}
    if scheme.tls is not None:
        feeds[connect(server)] = client_hello(scheme.tls)
        slow.extend(feeds)
    try:
        with Trickler(slow, feeds=feeds):
            closed = []
            for _ in range(300):  # bounded wait: the deadlines are 1 s and 2 s
                closed = [s for s in slow if closed_by_server(s)]
                if len(closed) == len(slow):
                    break
                threading.Event().wait(0.05)
        assert len(closed) == len(slow)
        status, answer = health(server, scheme)  # and the server still answers
        assert (status, answer["status"]) == (200, "ok")
    finally:
        for sock in slow:
            sock.close()
        server.stop()


def health(server: SyncServer, scheme: Scheme) -> tuple[int, Any]:
    """The health endpoint's status and answer, without the token, over the server's scheme."""
    if scheme.tls is None:
        status, _, answer = call(server, "GET", "/api/v1/health", token=None)
        return status, answer
    connection = HTTPSConnection("127.0.0.1", server.port, timeout=30, context=scheme.tls)
    try:
        connection.request("GET", "/api/v1/health")
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def test_a_flood_without_the_token_does_not_lock_the_peer_out(
    alpha: Install, beta: Install
) -> None:
    pid = alpha.open("Tech")  # 2 events
    server = serve(alpha, rate=0.01, burst=20)
    try:
        statuses = [call(server, "GET", "/api/v1/portfolios", token=None)[0] for _ in range(40)]
        # 20 at once are answered (401: no token), then the address is over its budget.
        assert statuses == [401] * 20 + [429] * 20
        summary = client(beta, server).sync()  # a handful of requests, with the token
        assert summary.pulled == 2
        assert beta.state()[pid][:2] == ("Tech", 2)
        # Token-less requests are still refused as too many.
        assert call(server, "GET", "/api/v1/health", token=None)[0] == 429
    finally:
        server.stop()
