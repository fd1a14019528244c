"""Schema evolution: every event class has a version, and an event log written in the v1 shape
(SharesBought without price_kind) loads under today's v2 shape, on every backend."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import pytest

from erasmo.checks import check_store
from events.application import Portfolios
from events.errors import EventLogError
from events.eventlog import export_log, import_file, verify_file
from events.portfolio import EVENT_TYPES, EVENT_VERSIONS, PORTFOLIO_TOPICS
from events.upcasting import UPCASTERS, upcast_state
from reliability.fixtures.make_v1_log import PORTFOLIO, build, canonical, sealed
from reliability.targets import market

D = Decimal
V1_LOG = Path(__file__).parent / "fixtures" / "v1_log.jsonl"
LEGACY = UUID(PORTFOLIO)
BOUGHT = next(t for t, n in PORTFOLIO_TOPICS.items() if n == "SharesBought")


def test_the_fixture_is_what_its_script_writes() -> None:
    assert V1_LOG.read_text(encoding="utf-8") == build()


def test_the_fixture_really_is_v1() -> None:
    log = verify_file(V1_LOG)
    bought = [json.loads(e.state) for e in log.events if e.topic == BOUGHT]
    assert len(bought) == 2
    assert all("price_kind" not in s and "class_version" not in s for s in bought)


def test_every_event_class_has_a_version_and_its_upcasters() -> None:
    assert set(EVENT_VERSIONS) == set(EVENT_TYPES)
    for name, cls in EVENT_TYPES.items():
        version = cls.class_version  # type: ignore[attr-defined]
        assert version == EVENT_VERSIONS[name] >= 1
        for old in range(1, version):
            assert (name, old) in UPCASTERS
            assert callable(getattr(cls, f"upcast_v{old}_v{old + 1}"))
    assert EVENT_VERSIONS["SharesBought"] == 2


def test_a_v1_log_imports_and_reads_in_the_v2_shape(app: Portfolios) -> None:
    log, new = import_file(app, V1_LOG)
    assert new == len(log.events) == 5
    p = app.portfolio(LEGACY)  # rebuilt by eventsourcing, which calls the upcaster
    assert p.shares == {"AAPL": D(35)}  # 40 + 10 - 15
    assert p.cash == D("8957.01")  # 10,000.00 - 1,163.20 - 240.41 + 360.62
    bought = [e for e in app.history(LEGACY) if e.type == "SharesBought"]
    assert [e.fields["price_kind"] for e in bought] == ["close", "close"]
    assert all("class_version" not in e.fields for e in bought)
    assert check_store(app, market())[1] == []


def test_a_v1_event_is_kept_as_written(app: Portfolios) -> None:
    import_file(app, V1_LOG)
    out = io.StringIO()
    export_log(app, out, erasmo_version="0.1.0")
    assert out.getvalue() == V1_LOG.read_text(encoding="utf-8")  # same bytes, same chain
    _, new = import_file(app, V1_LOG)
    assert new == 0  # importing it again adds nothing: v1 and v2 readings agree


def test_new_events_are_stored_in_the_v2_shape(app: Portfolios) -> None:
    import_file(app, V1_LOG)
    from events.values import PriceProvenance

    bar = market().bar("AAPL", p_day := app.portfolio(LEGACY).clock)
    assert bar is not None
    app.buy(LEGACY, "AAPL", D(1), bar.close, p_day, PriceProvenance("bundled:skfolio", p_day, True))
    raw = [e for e in app.reader.events(originator_id=LEGACY) if e.topic == BOUGHT][-1]
    state = json.loads(raw.state)
    assert state["class_version"] == 2
    assert state["price_kind"] == "close"


def test_the_upcaster_fills_only_what_v1_lacked() -> None:
    cls = EVENT_TYPES["SharesBought"]
    assert upcast_state(cls, {"ticker": "AAPL"}) == {"ticker": "AAPL", "price_kind": "close"}
    explicit = {"price_kind": "explicit", "class_version": 1}
    assert upcast_state(cls, explicit) == {"price_kind": "explicit"}
    assert upcast_state(cls, {"price_kind": "explicit", "class_version": 2}) == {
        "price_kind": "explicit"
    }


def newer_shape_log(tmp_path: Path) -> Path:
    """The v1 fixture with its first purchase rewritten in a shape version 3, re-chained."""
    lines = [json.loads(line) for line in V1_LOG.read_text().splitlines()]
    out = [lines[0]]
    for line in lines[1:]:
        body = {k: v for k, v in line.items() if k != "hash"}
        if line["topic"] == BOUGHT and line["n"] == 3:
            body["state"] = {**body["state"], "class_version": 3, "price_kind": "close"}
        body["prev"] = out[-1]["hash"]
        out.append(sealed(body))
    path = tmp_path / "v3.jsonl"
    path.write_text("".join(canonical(o).decode() + "\n" for o in out))
    return path


def test_an_event_in_a_newer_shape_is_refused(app: Portfolios, tmp_path: Path) -> None:
    path = newer_shape_log(tmp_path)
    assert len(verify_file(path).events) == 5  # an intact file...
    count = app.event_count()
    with pytest.raises(EventLogError, match="newer than this erasmo reads"):
        import_file(app, path)  # ...that this erasmo cannot read
    assert app.event_count() == count
