"""A sync server as the client sees it: HTTP(S) requests with the token, and the cursors.

`HttpPeer` speaks the sync API on one kept-alive connection and, as a `NotificationLogInterface`,
lets eventsourcing's `NotificationLogJSONClient` read the server's log. `PeerCursors` remembers
how far this install has pulled from each server.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import ssl
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from eventsourcing.interface import NotificationLogInterface
from eventsourcing.persistence import StoredEvent

from erasmo.sync.protocol import API_VERSION, PREFIX
from erasmo.sync.wire import encode_event
from events.errors import ErasmoError

PEERS_FILE = "sync-peers.json"
#: A server is trusted with nothing: the largest answer read (a full page is about 1 MB), the
#: longest a request may take in all (however slowly the answer trickles in), how often a
#: request refused as too many is tried, and the longest wait before trying again.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
REQUEST_SECONDS = 300.0
ATTEMPTS = 6
MAX_RETRY_WAIT = 5.0


class SyncError(ErasmoError):
    """A sync could not finish; what was recorded stays, and running it again resumes."""


class PushConflictError(SyncError):
    """The server holds a different event at a version we pushed; nothing of the push was kept."""


def default_label() -> str:
    """This machine's name, as a label peers can put in a portfolio name."""
    return as_label(socket.gethostname())


def as_label(text: str) -> str:
    """`text` cut to the letters, digits and . _ - a peer label may hold (at most 32)."""
    kept = "".join(c for c in text if c.isascii() and (c.isalnum() or c in "._-"))[:32]
    return kept or "peer"


class PeerCursors:
    """How far this install has pulled from each peer, in the data directory.

    The file is small JSON, replaced atomically (written aside, synced, then renamed), so an
    interruption leaves the old cursor or the new one, never half of one.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / PEERS_FILE

    def read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # a damaged file costs a full (idempotent) pull, nothing more
        peers = data.get("peers") if isinstance(data, dict) else None
        return peers if isinstance(peers, dict) else {}

    def get(self, peer: str) -> tuple[int, list[UUID]]:
        """The cursor after which to pull from `peer`, and portfolios waiting to be renamed."""
        entry = self.read().get(peer, {})
        after = entry.get("after", 0)
        renames = entry.get("renames", [])
        try:
            pending = [UUID(r) for r in renames]
        except (TypeError, ValueError, AttributeError):
            pending = []
        return (after if isinstance(after, int) and after >= 0 else 0), pending

    def put(self, peer: str, after: int, renames: Sequence[UUID]) -> None:
        peers = self.read()
        peers[peer] = {"after": after, "renames": [str(r) for r in renames]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{PEERS_FILE}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"format": 1, "peers": peers}, out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


class HttpPeer(NotificationLogInterface):
    """A sync server over HTTP(S), on one kept-alive connection.

    As a `NotificationLogInterface`, it lets eventsourcing's `NotificationLogJSONClient` read
    the server's log: each page's `head` and `next` are kept in `last_head` / `last_next`.
    """

    def __init__(
        self,
        url: str,
        token: str,
        *,
        cafile: Path | None = None,
        timeout: float = 60.0,
        max_response: int = MAX_RESPONSE_BYTES,
        request_seconds: float = REQUEST_SECONDS,
        max_wait: float = MAX_RETRY_WAIT,
    ) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SyncError(f"{url!r} is not an http:// or https:// URL of an erasmo server.")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        try:
            self.port = parts.port or (443 if self.https else 80)
        except ValueError:
            raise SyncError(f"{url!r} has an invalid port.") from None
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"{parts.scheme}://{shown}:{self.port}"
        self.token = token.strip()
        self.timeout = timeout
        self.max_response = max_response
        self.request_seconds = request_seconds
        self.max_wait = max_wait
        self.context = ssl.create_default_context(cafile=str(cafile) if cafile else None)
        self.last_head = 0
        self.last_next = 0
        self._connection: http.client.HTTPConnection | None = None

    # -- NotificationLogInterface ---------------------------------------------------------

    def get_log_section(self, section_id: str) -> str:
        raise NotImplementedError("the sync API pages by cursor (get_notifications), not sections")

    def get_notifications(
        self,
        start: int | None,
        limit: int,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> str:
        after = (start or 0) - (1 if inclusive_of_start and start else 0)
        page = self.request("GET", f"/events?after={max(0, after)}&limit={limit}")
        try:
            self.last_head, self.last_next = int(page["head"]), int(page["next"])
            return json.dumps(page["events"])
        except (KeyError, TypeError, ValueError):
            raise SyncError(f"{self.url} sent a page that is not an erasmo sync page.") from None

    # -- requests ---------------------------------------------------------------------------

    def portfolios(self) -> dict[str, Any]:
        listing = self.request("GET", "/portfolios")
        api = listing.get("api") if isinstance(listing, dict) else None
        if api != API_VERSION or not isinstance(listing.get("portfolios"), list):
            raise SyncError(
                f"{self.url} speaks sync API {api}, this erasmo speaks {API_VERSION}: update "
                "the older one."
            )
        return dict(listing)

    def push(self, events: Sequence[StoredEvent], label: str) -> dict[str, Any]:
        body = {"events": [encode_event(e) for e in events], "peer": label}
        result: dict[str, Any] = self.request("POST", "/events", body)
        return result

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Send one request (retrying a dropped kept-alive connection and 429s); parsed JSON."""
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for attempt in range(ATTEMPTS):
            status, raw, retry_after = self._send(method, PREFIX + path, data, headers, attempt)
            if status == 429:
                if attempt < ATTEMPTS - 1:
                    time.sleep(min(self.max_wait, max(0.0, retry_after)))
                continue
            return self._answer(status, raw)
        raise SyncError(f"{self.url} kept refusing requests as too many; try again later.")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _send(
        self, method: str, path: str, data: bytes | None, headers: dict[str, str], attempt: int
    ) -> tuple[int, bytes, float]:
        for retry in (False, True):
            connection = self._connect()
            # However slowly the server answers, the request ends at its deadline.
            overdue = threading.Event()
            watchdog = threading.Timer(self.request_seconds, _cut, (connection, overdue))
            watchdog.daemon = True
            watchdog.start()
            try:
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
                raw = self._read(response, overdue)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as e:
                self.close()
                if overdue.is_set():
                    raise self._overdue() from None
                if retry:  # the server went away mid-request: the caller resumes later
                    raise SyncError(
                        f"Lost the connection to {self.url} ({e}); what was recorded stays. "
                        "Run the sync again to resume."
                    ) from None
                continue  # a kept-alive connection the server had closed: open a new one
            except ssl.SSLError as error:
                self.close()
                if overdue.is_set():
                    raise self._overdue() from None
                raise SyncError(f"TLS with {self.url} failed: {error.reason or error}") from None
            except (OSError, http.client.HTTPException) as error:
                self.close()
                if overdue.is_set():
                    raise self._overdue() from None
                raise SyncError(
                    f"Cannot reach {self.url}: {getattr(error, 'strerror', None) or error}. Is "
                    "'erasmo serve' running there?"
                ) from None
            except SyncError:
                self.close()
                raise
            finally:
                watchdog.cancel()
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, raw, _seconds(response.getheader("Retry-After"))
        raise AssertionError("unreachable")

    def _read(self, response: http.client.HTTPResponse, overdue: threading.Event) -> bytes:
        """The answer's body, refused once it is larger than `max_response` bytes or once the
        request is past its deadline."""
        declared = response.getheader("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_response:
            raise self._too_large()
        chunks: list[bytes] = []
        total = 0
        while chunk := response.read1(65_536):  # what has arrived, however little
            if overdue.is_set():
                raise self._overdue()
            total += len(chunk)
            if total > self.max_response:
                raise self._too_large()
            chunks.append(chunk)
        if overdue.is_set():  # cut short by the deadline
            raise self._overdue()
        response.read()  # nothing is left: this marks the answer read, so the connection is reused
        return b"".join(chunks)

    def _too_large(self) -> SyncError:
        return SyncError(
            f"{self.url} sent an answer larger than {self.max_response // (1024 * 1024)} MB, "
            "more than any erasmo server sends; the sync stopped (what was recorded stays)."
        )

    def _overdue(self) -> SyncError:
        return SyncError(
            f"{self.url} took longer than {self.request_seconds:g} s to answer one request; the "
            "sync stopped (what was recorded stays). Run it again later."
        )

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            if self.https:
                self._connection = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=self.context
                )
            else:
                self._connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
        return self._connection

    def _answer(self, status: int, raw: bytes) -> Any:
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        if status == 200 and payload is not None:
            return payload
        message = payload.get("message") if isinstance(payload, dict) else None
        message = message or f"HTTP {status}"
        if status == 401:
            raise SyncError(
                f"{self.url} refused the token. Get the server's token with 'erasmo serve "
                "--show-token' on that install and pass it with --token."
            )
        if status == 409 and isinstance(payload, dict) and payload.get("error") == "conflict":
            raise PushConflictError(f"{self.url}: {message}")
        raise SyncError(f"{self.url} refused the request ({status}): {message}")


def _cut(connection: http.client.HTTPConnection, overdue: threading.Event) -> None:
    """End a request past its deadline: the next read of its socket fails at once, and a read
    blocked now returns (its socket is shut)."""
    overdue.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(0.01)
            sock.shutdown(socket.SHUT_RDWR)


def _seconds(header: str | None) -> float:
    """A Retry-After header's seconds (1 when missing or unreadable; the caller clamps it)."""
    try:
        value = float(header or 1)
    except ValueError:
        return 1.0
    return value if value == value else 1.0  # NaN
