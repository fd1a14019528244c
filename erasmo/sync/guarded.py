"""waitress, guarded against slow and hoarding clients.

waitress reads requests asynchronously and hands only complete ones to its worker threads, so a
slow client costs a connection, never a thread. Connections are what it bounds here:

- a request's headers must arrive within `header_seconds` of its first byte, its body within
  `body_seconds`: a client trickling a byte now and then (which keeps waitress's own idle
  timeout from firing) is closed once its time is up;
- a connection idle between requests is closed after `idle_seconds`;
- one client address holds at most `per_address` connections, and all together at most
  `max_connections`: a new connection beyond either closes the oldest connection that is not
  being answered (idle, or still sending its request), so a peer that connects and sends its
  request gets through however many slow connections are held.
"""

from __future__ import annotations

import socket
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


class GuardedServer(TcpWSGIServer):  # type: ignore[misc]
    """waitress's TCP server applying `ConnectionLimits` (see the module's description)."""

    channel_class = GuardedChannel
    limits = ConnectionLimits()

    def admit(self, newcomer: GuardedChannel) -> None:
        """Make room for a new connection, or close it when every other one is busy."""
        live = [c for c in self.active_channels.values() if c is not newcomer and not c.will_close]
        host = _host(newcomer.addr)
        same = [c for c in live if _host(c.addr) == host]
        if len(same) >= self.limits.per_address:
            self._make_room(same, newcomer)
        if not newcomer.will_close and len(live) >= self.limits.max_connections:
            self._make_room(live, newcomer)

    def _make_room(self, holders: list[Any], newcomer: GuardedChannel) -> None:
        waiting = [c for c in holders if not c.requests and not c.will_close]
        if waiting:
            min(waiting, key=lambda c: c.creation_time).will_close = True
        else:
            newcomer.will_close = True

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # connections idle for longer than channel_timeout
        for channel in list(self.active_channels.values()):
            request = channel.request
            if request is None or channel.will_close:
                continue
            allowed = self.limits.body_seconds if request.headers_finished else 0.0
            allowed += self.limits.header_seconds
            if now - channel.request_started > allowed:
                channel.will_close = True


def create_guarded_server(
    wsgi: Any, listener: socket.socket, limits: ConnectionLimits, **options: Any
) -> GuardedServer:
    """A `GuardedServer` serving `wsgi` on the bound `listener`; `options` are waitress's."""
    adj = Adjustments(
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
    return server


def _host(addr: Any) -> str:
    return str(addr[0]) if isinstance(addr, tuple) and addr else str(addr)
