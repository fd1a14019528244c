"""Hostile input: events a peer holding the token, or a hand-edited and re-chained log file, could
send, each pushed through the real sync server and imported from a re-chained file.

A victim install (bundled market data, offline) holds an honest portfolio. An attacker install
records a legitimate portfolio, then each case edits its events (a date beyond any calendar, a
plain number where an encoded decimal belongs, a price no bar had, a split of an adjusted
ticker, ...). Every case must be refused with a one-line reason and record nothing, or, where
the victim lacks the data to check it, be kept and marked unverified; the honest portfolio's
reports must work after every case.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import http.client
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from erasmo.bootstrap import Erasmo, bootstrap
from erasmo.checks import Finding, check_store
from erasmo.intake import admission, unverified_in_frame
from erasmo.sync.serving import SyncServer, start_server
from events.errors import ErasmoError
from events.eventlog import GENESIS, canonical, export_log, import_file
from events.portfolio import PORTFOLIO_TOPICS

TOKEN = "hostile-suite-token-0123456789abcdefghijklmnop"
OPENED = date(2015, 3, 2)  # a Monday with bundled bars
TRADED = "2015-03-03"
_TOPIC = {name: topic for topic, name in PORTFOLIO_TOPICS.items()}

#: An event as the cases edit it: (type name, its stored state as JSON).
Event = tuple[str, dict[str, Any]]


def dec(text: str) -> dict[str, str]:
    return {"_type_": "decimal_str", "_data_": text}


def day(text: str) -> dict[str, str]:
    return {"_type_": "date_iso", "_data_": text}


@dataclass(frozen=True)
class Case:
    """One hostile edit of the attacker's events.

    Attributes:
        name: what it tries.
        edit: changes the events (opening, deposit, buy, sell) in place; may append or drop.
        expected: "refused", or "unverified" (kept, and marked: the victim cannot check it).
        raw: replaces a state's JSON text after encoding (e.g. a 5,000-digit number, which
            Python's json cannot write): (marker text, replacement).
    """

    name: str
    edit: Callable[[list[Event]], None]
    expected: str = "refused"
    raw: tuple[str, str] | None = None


def _set(index: int, **changes: Any) -> Callable[[list[Event]], None]:
    def edit(events: list[Event]) -> None:
        events[index][1].update(changes)

    return edit


def _drop(index: int, key: str) -> Callable[[list[Event]], None]:
    def edit(events: list[Event]) -> None:
        events[index][1].pop(key)

    return edit


def _append(event_type: str, **state: Any) -> Callable[[list[Event]], None]:
    def edit(events: list[Event]) -> None:
        stamp = events[-1][1]["timestamp"]
        events.append((event_type, {"timestamp": stamp, **state}))

    return edit


def _priced(index: int, ticker: str, price: str, source: str) -> Callable[[list[Event]], None]:
    """The trade at `index` of `ticker` at `price` (value and cash made consistent)."""

    def edit(events: list[Event]) -> None:
        state = events[index][1]
        quantity = state["quantity"]["_data_"]
        value = f"{float(quantity) * float(price):.2f}"
        state.update(ticker=ticker, price=dec(price), value=dec(value), price_source=source)
        events[1][1]["amount"] = dec("9000000000")  # enough cash for any of these trades

    return edit


def _both(*edits: Callable[[list[Event]], None]) -> Callable[[list[Event]], None]:
    def edit(events: list[Event]) -> None:
        for one in edits:
            one(events)

    return edit


def _sunday_deposit(events: list[Event]) -> None:
    del events[2:]
    events[1][1]["on"] = day("2015-03-08")


def _future_deposit(events: list[Event]) -> None:
    del events[2:]
    events[1][1]["on"] = day("2100-01-04")


def _after(text: str) -> Callable[[list[Event]], None]:
    """Only the opening and the deposit, the deposit dated `text`."""

    def edit(events: list[Event]) -> None:
        del events[2:]
        events[1][1]["on"] = day(text)

    return edit


BIG = "9" * 5000
CASES: list[Case] = [
    # 1. dates no calendar holds
    *(
        Case(f"deposit dated {d}", _after(d))
        for d in ("9999-12-31", "2262-04-12", "1600-01-03", "0001-01-01")
    ),
    Case("opening dated 9999-12-31", _set(0, on=day("9999-12-31"))),
    # 2. untyped values
    Case("amount as a plain JSON number", _set(1, amount=1000)),
    Case("amount as JSON text", _set(1, amount="1000")),
    Case("price as a plain JSON number", _set(2, price=128)),
    Case("a field missing", _drop(1, "amount")),
    Case("an extra field", _set(1, bonus=dec("1"))),
    Case("ticker of the wrong type", _set(2, ticker=5)),
    Case("date of the wrong type", _set(1, on="2015-03-02")),
    Case("quantity as a float-shaped text", _set(2, quantity=dec("1e400"))),
    # 7. a shape version newer than erasmo reads
    Case("class_version 99", _set(1, class_version=99)),
    # 6. market rules
    Case("AAPL bought at 0.01 (says yahoo)", _priced(2, "AAPL", "0.01", "yahoo")),
    Case("AAPL sold at 1,000,000 (says yahoo)", _priced(3, "AAPL", "1000000", "yahoo")),
    Case("AAPL bought off its close (bundled)", _priced(2, "AAPL", "30.00", "bundled:skfolio")),
    Case(
        "1000:1 split of adjusted AAPL",
        _append("SplitApplied", ticker="AAPL", ratio=dec("1000"), on=day(TRADED)),
    ),
    Case(
        "99,999-a-share dividend on adjusted AAPL",
        _append(
            "DividendReceived",
            ticker="AAPL",
            amount_per_share=dec("99999"),
            quantity=dec("10"),
            amount=dec("999990.00"),
            on=day(TRADED),
        ),
    ),
    Case("unknown ticker (says bundled)", _priced(2, "ZZZZ", "10.00", "bundled:skfolio")),
    Case("a deposit on a Sunday", _sunday_deposit),
    Case("a deposit in 2100", _future_deposit),
    Case("currency XYZ", _set(0, currency="XYZ")),
    Case("currency empty", _set(0, currency="")),
    # 8. one-line refusals, never tracebacks
    Case("a 5,000-digit integer", _set(1, amount="@BIG@"), raw=('"@BIG@"', BIG)),
    Case(
        "200,000-deep nesting",
        _set(1, amount="@DEEP@"),
        raw=('"@DEEP@"', "[" * 200_000 + "]" * 200_000),
    ),
    Case(
        "a limit order worth about 1e27",
        _append(
            "OrderPlaced",
            order_id="o1",
            side="sell",
            ticker="AAPL",
            quantity=dec("999999999999"),
            kind="limit",
            limit=dec("999999999999999"),
            stop=None,
            trail_amount=None,
            trail_percent=None,
            tif="day",
            expires=None,
            reserved=dec("999999999999"),
            on=day(TRADED),
        ),
    ),
    # kept, but unverified: the victim has no data for a Yahoo-priced ticker it never cached
    Case(
        "Yahoo ticker not cached here",
        _both(_priced(2, "ZZZZ", "10.00", "yahoo"), _priced(3, "ZZZZ", "10.00", "yahoo")),
        expected="unverified",
    ),
]


@dataclass
class HostileFigures:
    """What the hostile-input suite found.

    Attributes:
        tried: cases times routes (sync push, re-chained import).
        refused: refused with a one-line reason, nothing recorded.
        kept_unverified: kept and reported as unverified (where the victim lacks the data).
        wrongly_accepted: (case, route, what happened) accepted although they should not be.
        not_one_line: refusals whose reason was not one line (or was a 5xx).
        reports_broken: (case, route, error) where the honest portfolio's reports failed.
    """

    tried: int = 0
    refused: int = 0
    kept_unverified: int = 0
    wrongly_accepted: list[tuple[str, str, str]] = field(default_factory=list)
    not_one_line: list[tuple[str, str, str]] = field(default_factory=list)
    reports_broken: list[tuple[str, str, str]] = field(default_factory=list)


def victim(data_dir: Path) -> Erasmo:
    """An offline install on the bundled data with one honest portfolio that traded."""
    erasmo = bootstrap(str(data_dir), None, offline=True)
    erasmo.trading.open_portfolio("Honest", "10000", OPENED)
    erasmo.trading.buy(erasmo.trading.resolve("Honest"), "AAPL", "10", TRADED)
    return erasmo


def attacker_events(data_dir: Path) -> tuple[str, list[Event]]:
    """The attacker's legitimate portfolio (opened, deposit, buy, sell): id and events."""
    erasmo = bootstrap(str(data_dir), None, offline=True)
    try:
        pid = erasmo.trading.open_portfolio("Evil", None, OPENED)
        erasmo.trading.deposit(erasmo.trading.resolve("Evil"), "10000", OPENED)
        erasmo.trading.buy(erasmo.trading.resolve("Evil"), "AAPL", "10", TRADED)
        erasmo.trading.sell(erasmo.trading.resolve("Evil"), "AAPL", "10", TRADED)
        stored = erasmo.app.recorder.select_events(pid)
        return str(pid), [(PORTFOLIO_TOPICS[e.topic], json.loads(e.state)) for e in stored]
    finally:
        erasmo.close()


def _states(case: Case, events: list[Event]) -> list[tuple[str, bytes]]:
    edited = copy.deepcopy(events)
    case.edit(edited)
    out = []
    for kind, state in edited:
        text = json.dumps(state, separators=(",", ":"))
        if case.raw and case.raw[0] in text:
            text = text.replace(case.raw[0], case.raw[1])
        out.append((_TOPIC[kind], text.encode()))
    return out


def push(server: SyncServer, pid: str, states: list[tuple[str, bytes]]) -> tuple[int, Any]:
    """POST the events to the server's sync API; (status, parsed reply)."""
    events = [
        {
            "originator_id": pid,
            "originator_version": n,
            "topic": topic,
            "state": base64.b64encode(state).decode(),
        }
        for n, (topic, state) in enumerate(states, start=1)
    ]
    body = json.dumps({"events": events, "peer": "mallory"}).encode()
    return raw_post(server, body)


def raw_post(server: SyncServer, body: bytes) -> tuple[int, Any]:
    """POST a raw body to /api/v1/events with the token."""
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=60)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    connection.request("POST", "/api/v1/events", body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    try:
        return response.status, json.loads(data)
    except ValueError:
        return response.status, data


def rechained_file(path: Path, pid: str, states: list[tuple[str, bytes]]) -> Path:
    """An event-log file of the events with its hash chain recomputed, as an attacker would."""
    header = {
        "format": "erasmo-event-log",
        "format_version": 1,
        "erasmo_version": "hostile",
        "count": len(states),
        "prev": GENESIS,
    }
    header["hash"] = hashlib.sha256(canonical(header)).hexdigest()
    lines = [canonical(header).decode()]
    prev = header["hash"]
    for n, (topic, state) in enumerate(states, start=1):
        try:
            parsed = json.loads(state)
        except (ValueError, RecursionError):
            # Python cannot write (or hash) it: the line is written by hand, its hash made up
            text = state.decode()
            line = (
                f'{{"hash":"{"0" * 64}","n":{n},"portfolio":"{pid}","prev":"{prev}",'
                f'"state":{text},"topic":"{topic}","version":{n}}}'
            )
            lines.append(line)
            prev = "0" * 64
            continue
        body = {
            "n": n,
            "portfolio": pid,
            "prev": prev,
            "state": parsed,
            "topic": topic,
            "version": n,
        }
        body["hash"] = hashlib.sha256(canonical(body)).hexdigest()
        lines.append(canonical(body).decode())
        prev = body["hash"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def fingerprint(erasmo: Erasmo) -> tuple[int, str]:
    """The store's head and its exported log's digest: equal means nothing was recorded."""
    import io

    out = io.StringIO()
    export_log(erasmo.app, out, erasmo_version="x")
    return erasmo.app.reader.head(), hashlib.sha256(out.getvalue().encode()).hexdigest()


def honest_reports(erasmo: Erasmo) -> None:
    """The honest portfolio's holdings, performance, value and the leaderboard; raises if any
    of them fails."""
    analytics = erasmo.analytics
    analytics.refresh()
    pid = erasmo.trading.resolve("Honest")
    shot = analytics.snapshot(pid)
    assert shot.summary.total_value > 0
    analytics.performance(pid)
    assert len(analytics.value(pid).total) > 0
    board = erasmo.branches.leaderboard(None, None)
    assert "Honest" in set(board["name"])


def unverified_listed(erasmo: Erasmo) -> list[Finding]:
    """What `erasmo check` lists as unverified."""
    unverified: list[Finding] = []
    check_store(erasmo.app, erasmo.market, unverified)
    return unverified


def run_hostile(work: Path, cases: list[Case] = CASES) -> HostileFigures:
    """Every case through the sync API and through a re-chained import. The refused cases
    share one victim per route (each must leave it unchanged); a kept case gets its own."""
    figures = HostileFigures()
    pid, events = attacker_events(work / "attacker")
    refused = [c for c in cases if c.expected == "refused"]
    kept = [c for c in cases if c.expected != "refused"]
    for route in ("sync", "import"):
        groups = [(f"victim-{route}", refused)]
        groups += [(f"victim-{route}-kept-{n}", [c]) for n, c in enumerate(kept)]
        for name, group in groups:
            erasmo = victim(work / name)
            server = _server(erasmo) if route == "sync" else None
            try:
                for n, case in enumerate(group):
                    figures.tried += 1
                    path = work / f"{name}-{n}.jsonl"
                    _try(figures, erasmo, server, route, case, pid, events, path)
            finally:
                if server is not None:
                    server.stop()
                erasmo.close()
    return figures


def _server(erasmo: Erasmo) -> SyncServer:
    """A real sync server over the victim, checking pushes against its market data."""
    return start_server(
        erasmo.app,
        token=TOKEN,
        port=0,
        rate=10_000.0,
        burst=10_000,
        admit=admission(erasmo.app, erasmo.market),
    )


def _try(
    figures: HostileFigures,
    erasmo: Erasmo,
    server: SyncServer | None,
    route: str,
    case: Case,
    pid: str,
    events: list[Event],
    path: Path,
) -> None:
    before = fingerprint(erasmo)
    states = _states(case, events)
    accepted, reason = _send(erasmo, server, route, pid, states, path)
    after = fingerprint(erasmo)
    if case.expected == "refused":
        if accepted or after != before:
            figures.wrongly_accepted.append((case.name, route, reason or "recorded"))
        elif not reason or "\n" in reason or reason.startswith("5"):
            figures.not_one_line.append((case.name, route, reason))
        else:
            figures.refused += 1
    elif not accepted:
        figures.wrongly_accepted.append((case.name, route, f"refused: {reason}"))
    else:
        marked = unverified_in_frame(erasmo.analytics.events(), erasmo.market)
        listed = [f for f in unverified_listed(erasmo) if f.portfolio.startswith("Evil")]
        if pid in marked and listed:
            figures.kept_unverified += 1
        else:
            figures.wrongly_accepted.append((case.name, route, "kept but not marked"))
    try:
        honest_reports(erasmo)
    except Exception as error:
        figures.reports_broken.append((case.name, route, f"{type(error).__name__}: {error}"))


def _send(
    erasmo: Erasmo,
    server: SyncServer | None,
    route: str,
    pid: str,
    states: list[tuple[str, bytes]],
    path: Path,
) -> tuple[bool, str]:
    """(accepted, the reason given when refused)."""
    if route == "sync":
        assert server is not None
        status, reply = push(server, pid, states)
        if status == 200:
            return True, ""
        message = reply.get("message", "") if isinstance(reply, dict) else str(reply)
        return False, message if status < 500 else f"{status} {message}"
    rechained_file(path, pid, states)
    admit = admission(erasmo.app, erasmo.market, outcome="nothing was imported")
    try:
        import_file(erasmo.app, path, admit=admit)
    except ErasmoError as error:
        return False, str(error)
    return True, ""
