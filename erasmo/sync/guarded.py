"""waitress, guarded against slow and hoarding clients.

waitress reads requests asynchronously and hands only complete ones to its worker threads, so a
slow client costs a connection, never a thread. Connections are what it bounds here:

- a request's headers must arrive within `header_seconds` of its first byte, its body within
  `body_seconds`: a client trickling a byte now and then (which keeps waitress's own idle
  timeout from firing) is closed once its time is up;
- a connection idle between requests is closed after `idle_seconds`;
- one client address holds at most `per_address` connections, and all together at most
  `max_connections`: a new connection beyond either closes the oldest connection that is not
  being answered (idle, or still sending its request), or else the oldest that pipelines
  requests, so a peer that connects and sends its request gets through however many slow
  connections are held.

Given an `ssl.SSLContext`, the same server speaks HTTPS (`TlsChannel`): each connection's TLS
handshake runs on the server's event loop, a record at a time, never blocking it or a worker
thread, and must finish within `header_seconds`; the limits above then apply as they do to plain
HTTP.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """How long a client may take and how many connections it may hold."""

    header_seconds: float = 10.0
    body_seconds: float = 60.0
    idle_seconds: float = 15.0
    per_address: int = 32
    max_connections: int = 256


class GuardedChannel(HTTPChannel):  # type: ignore[misc]
    """A connection that remembers when the request it is receiving began."""

    request_started = 0.0

    def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
        super().__init__(server, sock, addr, adj, map=map)
        server.admit(self)

    def received(self, data: bytes) -> bool:
        before = self.request
        result: bool = super().received(data)
        if self.request is not None and self.request is not before:
            self.request_started = time.time()
        return result


class TlsChannel(GuardedChannel):
    """A guarded connection speaking TLS: the handshake first, then waitress's HTTP over it.

    The socket stays non-blocking: a handshake or a read that needs more bytes than have
    arrived returns, and the event loop comes back when they arrive (or the deadlines close
    the connection). Reads, writes and the handshake of one connection never run at once.
    """

    handshaken = False
    _handshake_wants_write = False

    def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
        self._tls_lock = threading.Lock()
        try:
            sock = server.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        except (OSError, ValueError):  # gone before it was accepted: closed at the first turn
            self.will_close = True
        super().__init__(server, sock, addr, adj, map=map)

    def writable(self) -> bool:
        if not self.handshaken and not self.will_close:
            return self._handshake_wants_write
        return bool(super().writable())

    def handle_read(self) -> None:
        if not self.handshaken and not self._handshake():
            return
        chunks: list[bytes] = []
        try:
            with self._tls_lock:
                chunks.append(self.socket.recv(self.adj.recv_bytes))
                # Decrypted bytes left inside the TLS layer do not wake the event loop: take them.
                while chunks[-1] and (pending := self.socket.pending()):
                    chunks.append(self.socket.recv(pending))
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            pass  # the rest of a record has not arrived yet
        except OSError:  # a reset, or a broken TLS record
            self.handle_close()
            return
        data = b"".join(chunks)
        if data:
            self.last_activity = time.time()
            self.received(data)
        elif chunks:  # the client closed the connection
            self.connected = False

    def handle_write(self) -> None:
        if not self.handshaken and not self.will_close:
            self._handshake()
            return
        super().handle_write()

    def send(self, data: bytes, do_close: bool = True) -> int:
        if not self.handshaken:
            return 0
        try:
            with self._tls_lock:
                sent: int = self.socket.send(data)
                return sent
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return 0  # the same bytes are sent again once the socket can take them

    def _handshake(self) -> bool:
        """Take the handshake as far as the bytes received allow; whether it is done."""
        try:
            with self._tls_lock:
                self.socket.do_handshake()
        except ssl.SSLWantReadError:
            self._handshake_wants_write = False
            return False
        except ssl.SSLWantWriteError:
            self._handshake_wants_write = True
            return False
        except (OSError, ValueError):  # not TLS (plain HTTP, say), or the client went away
            self.handle_close()
            return False
        self.handshaken = True
        self._handshake_wants_write = False
        return True


class GuardedServer(TcpWSGIServer):  # type: ignore[misc]
    """waitress's TCP server applying `ConnectionLimits` (see the module's description)."""

    channel_class: type[GuardedChannel] = GuardedChannel
    limits = ConnectionLimits()
    tls: ssl.SSLContext | None = None

    def admit(self, newcomer: GuardedChannel) -> None:
        """Make room for a new connection, or close it when every other one is busy."""
        if newcomer.will_close:  # already refused (its TLS could not even be set up)
            return
        live = [c for c in self.active_channels.values() if c is not newcomer and not c.will_close]
        host = _host(newcomer.addr)
        same = [c for c in live if _host(c.addr) == host]
        if len(same) >= self.limits.per_address:
            self._make_room(same, newcomer)
        if not newcomer.will_close and len(live) >= self.limits.max_connections:
            self._make_room(live, newcomer)

    def _make_room(self, holders: list[Any], newcomer: GuardedChannel) -> None:
        # The oldest connection not being answered goes first; when every one is being
        # answered, the oldest that pipelines requests (no sync client does; a client hoarding
        # answers it never reads does); when none does, the newcomer is refused.
        live = [c for c in holders if not c.will_close]
        waiting = [c for c in live if not c.requests] or [c for c in live if len(c.requests) > 1]
        if waiting:
            min(waiting, key=lambda c: c.creation_time).will_close = True
        else:
            newcomer.will_close = True

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # connections idle for longer than channel_timeout
        for channel in list(self.active_channels.values()):
            if channel.will_close:
                continue
            if not getattr(channel, "handshaken", True):  # TLS: the handshake has its deadline
                if now - channel.creation_time > self.limits.header_seconds:
                    channel.will_close = True
                continue
            request = channel.request
            if request is None:
                continue
            allowed = self.limits.body_seconds if request.headers_finished else 0.0
            allowed += self.limits.header_seconds
            if now - channel.request_started > allowed:
                channel.will_close = True


def create_guarded_server(
    wsgi: Any,
    listener: socket.socket,
    limits: ConnectionLimits,
    tls: ssl.SSLContext | None = None,
    **options: Any,
) -> GuardedServer:
    """A `GuardedServer` serving `wsgi` on the bound `listener` (HTTPS with a `tls` context);
    `options` are waitress's."""
    adj = Adjustments(
        url_scheme="https" if tls is not None else "http",
        sockets=[listener],
        channel_timeout=max(1, round(limits.idle_seconds)),
        cleanup_interval=1,  # the deadlines above are checked every second
        # The limits above close connections before waitress would stop accepting new ones.
        connection_limit=limits.max_connections + 64,
        asyncore_use_poll=True,  # select() cannot watch more than 1,024 descriptors
        **options,
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    sockinfo = (listener.family, listener.type, listener.proto, listener.getsockname())
    server = GuardedServer(
        wsgi,
        {},
        True,
        listener,
        dispatcher=dispatcher,
        adj=adj,
        bind_socket=False,
        sockinfo=sockinfo,
    )
    server.limits = limits
    if tls is not None:
        server.tls = tls
        server.channel_class = TlsChannel
    return server


def _host(addr: Any) -> str:
    return str(addr[0]) if isinstance(addr, tuple) and addr else str(addr)
