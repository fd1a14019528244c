"""Slow, hoarding and flooding clients do not lock a peer out of a real sync server.

Everything runs on loopback. The slow clients are raw sockets that connect and then idle,
trickle partial headers or a body a byte at a time, or pipeline requests whose answers they
never read. Some come from 127.0.0.2 (Linux answers the whole 127/8 block) to exercise the
per-address cap. The peer is a real `SyncClient`, as `erasmo sync` runs it.
"""

from __future__ import annotations

import contextlib
import socket
import threading

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


def connect(server: SyncServer, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((source, 0))
    sock.settimeout(5)
    sock.connect(("127.0.0.1", server.port))
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    """Whether the server has closed `sock` (it reads end-of-file or a reset)."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.settimeout(5)


class Trickler:
    """Sends one byte to each socket every `every` seconds, from a thread, until stopped."""

    def __init__(self, sockets: list[socket.socket], every: float = 0.2) -> None:
        self.sockets = sockets
        self.every = every
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        for _ in range(3_000):  # bounded: 10 minutes at most
            if self.stopped.wait(self.every):
                return
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.send(b"a")

    def __enter__(self) -> Trickler:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join(10)


def hold_slow_connections(server: SyncServer, count: int) -> tuple[list[socket.socket], ...]:
    """`count` slow connections in four kinds: idle, partial headers, slow body, unread."""
    idle: list[socket.socket] = []
    headers: list[socket.socket] = []
    bodies: list[socket.socket] = []
    unread: list[socket.socket] = []
    for n in range(count):
        sock = connect(server)
        kind = n % 4
        if kind == 1:
            sock.sendall(HEADERS)
            headers.append(sock)
        elif kind == 2:
            sock.sendall(BODY)
            bodies.append(sock)
        elif kind == 3:
            sock.sendall(PIPELINED)
            unread.append(sock)
        else:
            idle.append(sock)
    return idle, headers, bodies, unread


def test_a_sync_succeeds_while_200_slow_connections_are_held(alpha: Install, beta: Install) -> None:
    pid = alpha.open("Tech")  # opened with 10,000.00: 2 events
    alpha.deposit(pid, "250")  # 3 events
    server = serve(alpha)
    held = hold_slow_connections(server, SLOW)
    sockets = [s for kind in held for s in kind]
    try:
        with Trickler(held[1] + held[2]):
            summary = client(beta, server).sync()
        assert summary.pulled == 3
        assert beta.state()[pid] == ("Tech", 3, alpha.app.portfolio(pid).cash, False)
        # Held connections beyond the per-address cap were closed to make room.
        still_open = [s for s in sockets if not closed_by_server(s)]
        assert len(still_open) <= ConnectionLimits().per_address
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


def test_one_address_holds_at_most_its_cap_and_others_still_connect(alpha: Install) -> None:
    limits = ConnectionLimits(per_address=8)
    server = serve(alpha, limits=limits)
    hoarder = [connect(server, "127.0.0.2") for _ in range(40)]
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
        status, _, answer = call(server, "GET", "/api/v1/health", token=None)
        assert (status, answer["status"]) == (200, "ok")
    finally:
        for sock in hoarder:
            sock.close()
        server.stop()


def test_a_request_trickled_past_its_deadline_is_closed(alpha: Install) -> None:
    """A byte every 0.2 s keeps a connection active, but its headers must finish in time."""
    server = serve(alpha, limits=ConnectionLimits(header_seconds=1, body_seconds=1))
    slow_headers, slow_body = connect(server), connect(server)
    slow_headers.sendall(HEADERS)
    slow_body.sendall(BODY)
    try:
        with Trickler([slow_headers, slow_body]):
            closed = []
            for _ in range(300):  # bounded wait: the deadlines are 1 s and 2 s
                closed = [s for s in (slow_headers, slow_body) if closed_by_server(s)]
                if len(closed) == 2:
                    break
                threading.Event().wait(0.05)
        assert len(closed) == 2
    finally:
        slow_headers.close()
        slow_body.close()
        server.stop()


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
