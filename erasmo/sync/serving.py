"""Running the sync server under waitress, guarded against slow clients, never Flask's own server.

Plain HTTP and HTTPS are served alike by `erasmo.sync.guarded` (waitress has no TLS of its own:
a certificate and key make the guarded server wrap each connection in Python's `ssl`, with the
handshake on its event loop), so both get the same connection caps and deadlines. It runs in a
background thread (`start_server` returns a handle whose `stop` closes the listener and every
connection) or in the foreground (`SyncServer.serve_forever`). Loopback is the default; another
address needs TLS, or `insecure=True` on purpose.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from erasmo.sync.guarded import ConnectionLimits
from erasmo.sync.protocol import MAX_BODY
from erasmo.sync.served import ServedLog
from erasmo.sync.server import Admit, ServerSettings, create_app
from events.errors import ErasmoError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
THREADS = 4
_LOG = logging.getLogger(__name__)


class ServeError(ErasmoError):
    """The sync server cannot start as asked (address in use, no TLS off loopback, bad cert)."""


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int, extra: Iterable[str] = ()) -> frozenset[str]:
    """The Host header values a server on `host`:`port` answers to (lower case)."""
    names = {"127.0.0.1", "localhost", "[::1]"}
    if host not in ("0.0.0.0", "::", ""):
        names.add(f"[{host}]" if ":" in host else host)
    if not is_loopback(host):
        hostname = socket.gethostname()
        names.update({hostname, f"{hostname}.local"})
    names.update(extra)
    allowed = {f"{n.lower()}:{port}" for n in names}
    if port in (80, 443):
        allowed.update(n.lower() for n in names)
    return frozenset(allowed)


@dataclass
class SyncServer:
    """A sync server listening in a background thread.

    Attributes:
        url: where peers reach it, e.g. "http://127.0.0.1:8765".
        host, port: the address it is bound to (port is the real one when 0 was asked).
    """

    url: str
    host: str
    port: int
    _stop: Any
    _thread: threading.Thread
    _stopped: threading.Event = field(default_factory=threading.Event)

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listener and every connection, and wait for the thread to end."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._stop()
        self._thread.join(timeout)

    def serve_forever(self) -> None:
        """Block until `stop` is called (from another thread) or Ctrl-C, then stop."""
        try:
            while self._thread.is_alive() and not self._stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


def start_server(
    app: ServedLog,
    *,
    token: str,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    cert: Path | None = None,
    key: Path | None = None,
    insecure: bool = False,
    name: str = "server",
    extra_hosts: Iterable[str] = (),
    rate: float = 100.0,
    burst: int = 400,
    max_body: int = MAX_BODY,
    admit: Admit | None = None,
    limits: ConnectionLimits | None = None,
) -> SyncServer:
    """Serve the sync API over `app` in a background thread; `stop()` the handle to end it.

    HTTPS with `cert` and `key`, else plain HTTP; either is bounded by `limits` (slow
    handshakes and requests, idle and hoarded connections; see `erasmo.sync.guarded`)."""
    if (cert is None) != (key is None):
        raise ServeError("Give both --cert and --key (the certificate and its private key).")
    if not is_loopback(host) and cert is None and not insecure:
        raise ServeError(
            f"Serving on {host} would expose the event log to the network in clear text. Give "
            "a certificate and key (--cert FILE --key FILE), or --insecure if you really mean it."
        )
    tls = _tls_context(cert, key) if cert is not None and key is not None else None
    try:
        listener = socket.create_server(
            (host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET
        )
    except OSError as error:
        raise ServeError(f"Cannot listen on {host}:{port}: {error.strerror or error}") from None
    real_port = listener.getsockname()[1]
    settings = ServerSettings(
        token=token,
        allowed_hosts=allowed_hosts(host, real_port, extra_hosts),
        name=name,
        max_body=max_body,
        rate=rate,
        burst=burst,
    )
    wsgi = create_app(app, settings, admit)
    shown = f"[{host}]" if ":" in host else host
    stop, thread = _waitress(wsgi, listener, max_body, limits or ConnectionLimits(), tls)
    url = f"{'https' if tls is not None else 'http'}://{shown}:{real_port}"
    thread.start()
    return SyncServer(url=url, host=host, port=real_port, _stop=stop, _thread=thread)


def _tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as error:
        raise ServeError(f"Cannot use the certificate {cert} and key {key}: {error}") from None
    return context


def _waitress(
    wsgi: Any,
    listener: socket.socket,
    max_body: int,
    limits: ConnectionLimits,
    tls: ssl.SSLContext | None,
) -> tuple[Any, threading.Thread]:
    from erasmo.sync.guarded import create_guarded_server

    server: Any = create_guarded_server(
        wsgi,
        listener,
        limits,
        tls,
        threads=THREADS,
        ident="erasmo",
        # Bodies are buffered by waitress before Flask sees them: bound them here too.
        max_request_body_size=max_body + 65_536,
        clear_untrusted_proxy_headers=True,
        expose_tracebacks=False,
    )

    thread = threading.Thread(target=server.run, name="erasmo-sync-waitress", daemon=True)

    def close_everything() -> None:
        # Runs in the server's loop thread, which ends once its map is empty. The trigger only
        # leaves the map here: its pipe is closed by `stop` once the loop has ended, so that
        # `pull_trigger` never writes to a pipe this thunk closed under it.
        from waitress import wasyncore

        for dispatcher in list(server._map.values()):
            if dispatcher is server.trigger:
                dispatcher.del_channel()
            elif dispatcher is server:
                wasyncore.dispatcher.close(server)  # its own close() would close the trigger
            else:
                dispatcher.handle_close()  # a connection: also frees its buffers

    def stop() -> None:
        server.trigger.pull_trigger(close_everything)
        thread.join(10)
        server.task_dispatcher.shutdown(timeout=5)
        server.trigger.close()

    return stop, thread
