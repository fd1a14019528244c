"""The sync server: a Flask app exposing the event log to peers that hold the token.

`create_app` builds it; `erasmo.sync.serving` runs it under a production WSGI server. Every
request passes, in order: a per-address rate limit (429; requests with and without the token
are counted apart, so token-less ones cannot use up a peer's budget), the Host allow-list (421,
against DNS rebinding), the token (401; health alone is open), and for bodies the content type
(415), the size limit (413) and strict JSON (400: malformed, NaN, floats, duplicate or unknown
fields). Errors are JSON without tracebacks; no CORS headers are ever sent (peers are not
browsers).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, cast

from eventsourcing.application import LocalNotificationLog
from eventsourcing.interface import NotificationLogJSONService
from eventsourcing.persistence import StoredEvent
from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from erasmo import __version__
from erasmo.sync.protocol import API_VERSION, MAX_BODY, MAX_PAGE, PREFIX
from erasmo.sync.served import ServedLog
from erasmo.sync.token import token_matches
from erasmo.sync.wire import WireError, decode_events, loads_strict
from events.errors import ConcurrentWriteError, ErasmoError, StoreError
from events.registry import PORTFOLIO_TOPICS
from events.sync import DivergedError

OPEN_PATHS = frozenset({f"{PREFIX}/health"})
#: Checks incoming events before they are recorded; raises an `ErasmoError` to refuse them.
Admit = Callable[[Sequence[StoredEvent]], object]
_LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """How a sync server guards itself.

    Attributes:
        token: the secret every request but health must carry (`Authorization: Bearer ...`).
        allowed_hosts: the Host header values accepted, lower case, with port ("127.0.0.1:8765").
        name: this install's label, shown to peers (it names renamed portfolios).
        max_body: the largest request body accepted, in bytes.
        rate: requests per second allowed per client address, sustained.
        burst: requests allowed at once per client address.
    """

    token: str
    allowed_hosts: frozenset[str]
    name: str = "server"
    max_body: int = MAX_BODY
    rate: float = 100.0
    burst: int = 400


class ApiError(Exception):
    """An error answered as JSON with its HTTP status."""

    def __init__(self, status: int, error: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": error, "message": message, **details}


class TokenBucket:
    """A token-bucket rate limit per key (client address): `burst` at once, `rate` per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 if a request may pass now, else the seconds to wait before the next one will."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > 10_000:  # forget idle addresses rather than grow forever
                self._buckets = {key: self._buckets[key]}
            return (1 - tokens) / self.rate


class SyncService:
    """What the endpoints do, over one install's log (any `ServedLog`)."""

    def __init__(self, app: ServedLog, settings: ServerSettings, admit: Admit | None) -> None:
        self.app = app
        self.settings = settings
        self.admit = admit
        # eventsourcing's JSON service over the application's log, in pages of MAX_PAGE (the
        # application's own log reads sections of 10).
        self.log = NotificationLogJSONService(cast(Any, _PagedLog(app)))
        self.topics = list(PORTFOLIO_TOPICS)
        self.limiter = TokenBucket(settings.rate, settings.burst)  # requests with the token
        self.open_limiter = TokenBucket(settings.rate, settings.burst)  # and without it
        self._write = threading.Lock()

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "api": API_VERSION, "version": __version__, "head": self._head()}

    def page(self, after: int, limit: int) -> str:
        """A page of portfolio events after log position `after`, with the next cursor."""
        head = self._head()
        events = self.log.get_notifications(
            start=after, limit=limit, topics=self.topics, inclusive_of_start=False
        )
        items = json.loads(events)
        head = max(head, items[-1]["id"] if items else 0)
        # A short page means every portfolio event up to `head` was read (catalog events in
        # between are skipped), so the next page may start after `head`.
        next_after = items[-1]["id"] if len(items) == limit else max(after, head)
        return f'{{"head":{head},"next":{next_after},"events":{events}}}'

    def push(self, body: Any) -> dict[str, Any]:
        """Record pushed events, all or nothing."""
        if not isinstance(body, dict) or "events" not in body or set(body) - {"events", "peer"}:
            raise ApiError(400, "bad_request", "the body must be {'events': [...], 'peer': NAME}")
        peer = body.get("peer", "peer")
        if not isinstance(peer, str) or not _is_label(peer):
            raise ApiError(400, "bad_request", "'peer' must be 1 to 32 letters, digits, . _ or -")
        events = decode_events(body["events"], limit=MAX_PAGE)
        if self.admit is not None:  # the market's rules, as a typed command passes them
            self.admit(events)
        with self._write:
            record = self.app.record_synced(events, peer=peer)
        return {
            "recorded": record.recorded,
            "held": record.held,
            "renamed": [{"id": str(i), "name": n, "listed_as": a} for i, n, a in record.renamed],
            "head": self._head(),
        }

    def portfolios(self) -> dict[str, Any]:
        heads = self.app.heads(deleted=True)  # deleted ones too: a client need not resend them
        return {
            "api": API_VERSION,
            "name": self.settings.name,
            "head": self._head(),
            "portfolios": [
                {"id": str(h.id), "name": h.name, "version": h.version}
                | ({"deleted": True} if h.deleted else {})
                for h in heads
            ],
        }

    def _head(self) -> int:
        return self.app.reader.head()


class _PagedLog:
    """What `NotificationLogJSONService` reads from an application: its notification log."""

    def __init__(self, app: ServedLog) -> None:
        self.notification_log = LocalNotificationLog(app.recorder, section_size=MAX_PAGE)


api = Blueprint("sync_api", __name__)


@api.get("/health", provide_automatic_options=False)
def health() -> Response:
    return _json(_service().health())


@api.get("/openapi.json", provide_automatic_options=False)
def openapi() -> Response:
    return _json(openapi_document())


@api.get("/events", provide_automatic_options=False)
def pull() -> Response:
    return _json_text(_service().page(*_query({"after": (0, 2**62), "limit": (1, MAX_PAGE)})))


@api.post("/events", provide_automatic_options=False)
def push() -> Response:
    return _json(_service().push(_json_body()))


@api.get("/portfolios", provide_automatic_options=False)
def portfolios() -> Response:
    return _json(_service().portfolios())


def create_app(app: ServedLog, settings: ServerSettings, admit: Admit | None = None) -> Flask:
    """The sync API over `app`, guarded by `settings`; serve it with `erasmo.sync.serving`.

    `admit` checks pushed events against the market data before they are recorded (see
    `erasmo.intake.admission`); it raises to refuse them."""
    flask = Flask(__name__)
    flask.config.update(MAX_CONTENT_LENGTH=settings.max_body, DEBUG=False, TESTING=False)
    flask.extensions["erasmo_sync"] = SyncService(app, settings, admit)
    flask.register_blueprint(api, url_prefix=PREFIX)
    flask.before_request(_guard)
    flask.after_request(_harden)
    flask.register_error_handler(ApiError, _api_error)
    flask.register_error_handler(HTTPException, _http_error)
    flask.register_error_handler(Exception, _unexpected)
    return flask


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.0 description of the sync API (also served at /api/v1/openapi.json)."""
    text = resources.files("erasmo.sync").joinpath("openapi.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


# -- guards -------------------------------------------------------------------------------------


def _guard() -> None:
    service = _service()
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    authenticated = scheme.lower() == "bearer" and token_matches(
        given.strip(), service.settings.token
    )
    # Requests with the token and without it are counted apart: a flood of token-less requests
    # from an address never uses up the budget of the peer syncing from the same address.
    limiter = service.limiter if authenticated else service.open_limiter
    wait = limiter.take(request.remote_addr or "?")
    if wait:
        raise ApiError(429, "rate_limited", "too many requests", retry_after=round(wait, 3))
    if request.host.lower() not in service.settings.allowed_hosts:
        raise ApiError(421, "bad_host", "this server does not answer to that Host name")
    if request.path not in OPEN_PATHS and not authenticated:
        raise ApiError(401, "unauthorized", "a valid 'Authorization: Bearer TOKEN' is needed")
    if request.routing_exception is None and request.method == "POST":
        charset = request.mimetype_params.get("charset", "utf-8").lower()
        if request.mimetype != "application/json" or charset not in ("utf-8", "utf8"):
            raise ApiError(415, "unsupported_media_type", "the body must be application/json")
        length = request.content_length
        if length is not None and length > service.settings.max_body:
            raise ApiError(413, "too_large", f"the body exceeds {service.settings.max_body} bytes")


def _harden(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _query(bounds: dict[str, tuple[int, int]]) -> tuple[int, ...]:
    """The query's whole numbers, each within its bounds; anything else is a 400."""
    args = request.args
    unknown = set(args) - set(bounds)
    if unknown:
        raise ApiError(400, "bad_request", f"unknown query parameters: {sorted(unknown)}")
    values = []
    for name, (low, high) in bounds.items():
        given = args.getlist(name)
        if len(given) > 1:
            raise ApiError(400, "bad_request", f"{name!r} is given more than once")
        raw = given[0] if given else str(low if name != "limit" else high)
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 19) or not low <= int(raw) <= high:
            raise ApiError(400, "bad_request", f"{name!r} must be a whole number {low}..{high}")
        values.append(int(raw))
    return tuple(values)


def _json_body() -> Any:
    try:
        return loads_strict(request.get_data(cache=False))
    except WireError as error:
        raise ApiError(400, "bad_request", str(error)) from None


# -- answers ------------------------------------------------------------------------------------


def _service() -> SyncService:
    service: SyncService = current_app.extensions["erasmo_sync"]
    return service


def _json(value: Any, status: int = 200) -> Response:
    return _json_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")), status)


def _json_text(text: str, status: int = 200) -> Response:
    return Response(text, status=status, mimetype="application/json")


def _api_error(error: ApiError) -> Response:
    response = _json(error.body, error.status)
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="erasmo"'
    if error.status == 429:
        response.headers["Retry-After"] = str(max(1, round(error.body.get("retry_after", 1))))
    return response


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    name = (error.name or "error").lower().replace(" ", "_")
    return _json({"error": name, "message": error.description or name}, status)


def _unexpected(error: Exception) -> Response:
    if isinstance(error, WireError):
        return _api_error(ApiError(400, "bad_request", str(error)))
    if isinstance(error, DivergedError):
        return _api_error(
            ApiError(
                409,
                "conflict",
                str(error),
                portfolio=str(error.portfolio_id),
                version=error.version,
            )
        )
    if isinstance(error, ConcurrentWriteError):
        return _api_error(ApiError(409, "busy", str(error)))
    if isinstance(error, StoreError):
        return _api_error(ApiError(503, "store_unavailable", "the event store is unavailable"))
    if isinstance(error, ErasmoError):
        return _api_error(ApiError(400, "rejected", str(error)))
    _LOG.exception("sync request failed")  # the trace stays in the server's log, never the reply
    return _api_error(ApiError(500, "internal", "the server failed; see its log"))


def _is_label(text: str) -> bool:
    return 0 < len(text) <= 32 and all(c.isascii() and (c.isalnum() or c in "._-") for c in text)
