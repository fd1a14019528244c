"""A stand-in for Yahoo's servers at yfinance's HTTP layer (the curl_cffi session).

`YahooReplay` replaces `curl_cffi.requests.Session.request`, so yfinance runs its own code (cookie,
crumb, timezone lookup, chart request, parsing) and only the bytes come from the recorded payloads
in tests/data/yahoo. Each symbol is given a scenario: a payload file, an HTTP status, an exception
to raise, or a hang. Chart requests with a date range get only the recorded rows inside it, as
Yahoo does. Every request is kept in `requests`, so tests can count what was fetched.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DATA = Path(__file__).resolve().parents[1] / "data" / "yahoo"


def payload(name: str) -> dict[str, Any]:
    """A recorded chart payload (without its note)."""
    data = json.loads((DATA / f"{name}.json").read_text())
    data.pop("_note", None)
    return data


@dataclass
class Scenario:
    """How the replayed Yahoo answers one symbol."""

    payload: str | None = None  # a file in tests/data/yahoo
    status: int = 200
    body: str | None = None  # a raw body instead of a payload
    raises: BaseException | None = None
    hang: bool = False  # wait until released, then answer


@dataclass
class Request:
    url: str
    params: dict[str, Any]

    @property
    def symbol(self) -> str | None:
        path = urlsplit(self.url).path
        return path.rsplit("/", 1)[-1] if "/v8/finance/chart/" in path else None

    @property
    def is_history(self) -> bool:
        """A price-history request (not yfinance's timezone lookup, which asks for range=1d)."""
        return self.symbol is not None and self.params.get("range") != "1d"


@dataclass
class YahooReplay:
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    #: Set when a hung request has finally been answered (after `release`).
    answered_late: threading.Event = field(default_factory=threading.Event)

    def history_requests(self, symbol: str | None = None) -> list[Request]:
        return [r for r in self.requests if r.is_history and symbol in (None, r.symbol)]

    def request(self, method: str, url: str, params: Any = None, **_: Any) -> Any:
        from curl_cffi.requests import Response

        asked = Request(url, dict(params or {}))
        self.requests.append(asked)
        response = Response()
        response.url = url
        host = urlsplit(url).hostname or ""
        if asked.symbol is None:
            if "getcrumb" in url:
                response.content = b"replayed-crumb"
            else:  # fc.yahoo.com (cookie), consent pages, quoteSummary: nothing useful
                response.status_code, response.reason, response.ok = 404, "Not Found", False
                response.content = b"{}" if host.startswith("query") else b"<html></html>"
            return response
        scenario = self.scenarios.get(asked.symbol, Scenario(payload="unknown", status=404))
        if scenario.hang:  # answer (with the payload, if any) only once released
            self.release.wait(30)
            self.answered_late.set()
            if scenario.payload is None:
                raise ConnectionError("the replayed Yahoo hung up")
        if scenario.raises is not None:
            raise scenario.raises
        response.status_code = scenario.status
        response.ok = scenario.status < 400
        response.reason = "OK" if response.ok else "Error"
        if scenario.body is not None:
            response.content = scenario.body.encode()
        elif scenario.payload is not None:
            data = payload(scenario.payload)
            if "period1" in asked.params:
                data = _within(data, int(asked.params["period1"]), int(asked.params["period2"]))
            response.content = json.dumps(data).encode()
        return response


def install(monkeypatch: Any) -> YahooReplay:
    """Replay Yahoo for the test, with yfinance's process-wide state (session, crumb, caches)
    starting fresh, as in a new process."""
    import curl_cffi.requests
    import yfinance.base
    import yfinance.cache
    import yfinance.data

    served = YahooReplay()
    monkeypatch.setattr(
        curl_cffi.requests.Session,
        "request",
        lambda self, method, url, **kw: served.request(method, url, **kw),
    )
    monkeypatch.delitem(yfinance.data.SingletonMeta._instances, yfinance.data.YfData, raising=False)
    for manager, slot in (
        (yfinance.cache._TzCacheManager, "_tz_cache"),
        (yfinance.cache._CookieCacheManager, "_Cookie_cache"),
        (yfinance.cache._ISINCacheManager, "_isin_cache"),
    ):
        monkeypatch.setattr(manager, slot, None)
    monkeypatch.setattr(yfinance.base, "_tz_info_fetch_ctr", 0)
    return served


def _within(data: dict[str, Any], start: int, end: int) -> dict[str, Any]:
    """The payload with only the rows (and events) whose timestamp is in [start, end)."""
    data = copy.deepcopy(data)
    result = (data["chart"]["result"] or [None])[0]
    if not result or "timestamp" not in result:
        return data
    keep = [i for i, t in enumerate(result["timestamp"]) if start <= t < end]
    result["timestamp"] = [result["timestamp"][i] for i in keep]
    for block in (*result["indicators"]["quote"], *result["indicators"].get("adjclose", [])):
        for key, values in block.items():
            block[key] = [values[i] for i in keep]
    for kind, events in result.get("events", {}).items():
        result["events"][kind] = {k: v for k, v in events.items() if start <= int(k) < end}
    if not keep:
        result.pop("timestamp")
        result["indicators"] = {"quote": [{}], "adjclose": [{}]}
    return data


def epoch(day: str) -> int:
    """Midnight UTC of an ISO day, as a Unix timestamp."""
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())
