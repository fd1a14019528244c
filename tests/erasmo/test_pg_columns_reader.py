"""The PostgreSQL column reader gives the event frame the general (Arrow) reader gives, on the
same store read both ways: voids, events out of shape and unreadable events included."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd
import pytest
from eventsourcing.persistence import StoredEvent

from erasmo.market.base import CorporateAction
from erasmo.projections import source
from erasmo.projections.columns import OutOfShapeError
from erasmo.projections.frame import EVENT_TYPE_DTYPE
from erasmo.projections.pg_columns import has_column_reader, pg_event_frame
from erasmo.projections.source import HAD_VOIDS, UNREADABLE, _decode, load_event_frame
from events.application import Portfolios
from events.portfolio import PORTFOLIO_TOPICS
from events.store import StoreConfig
from events.values import PriceProvenance

pytestmark = pytest.mark.postgres
DAY = date(2012, 11, 1)
TOPIC = {name: topic for topic, name in PORTFOLIO_TOPICS.items()}


@pytest.fixture
def pg_app(pg_schema: str) -> Iterator[Portfolios]:
    app = Portfolios(
        StoreConfig.from_url(f"postgresql://postgres@127.0.0.1:5432/test?schema={pg_schema}")
    )
    yield app
    app.close()


def general_reader(app: Portfolios, **where: Any) -> pd.DataFrame:
    """The general reader's frame of the events, voids kept (as the column readers give it)."""
    blocks = app.reader.json_lines(topics=list(PORTFOLIO_TOPICS), **where)
    frame = pd.concat([_decode(block) for block in blocks], ignore_index=True)
    frame["type"] = frame["type"].astype(EVENT_TYPE_DTYPE)
    return frame


def read_by_the_general_reader(
    monkeypatch: pytest.MonkeyPatch, app: Portfolios, **where: Any
) -> pd.DataFrame:
    """`load_event_frame` with the column reader giving up, as on an event out of shape."""

    def gives_up(*_args: Any, **_kwargs: Any) -> pd.DataFrame:
        raise OutOfShapeError("forced")

    with monkeypatch.context() as patched:
        patched.setattr(source, "column_event_frame", gives_up)
        return load_event_frame(app, **where)


def assert_read_alike(monkeypatch: pytest.MonkeyPatch, app: Portfolios, **where: Any) -> None:
    columns, general = (
        load_event_frame(app, **where),
        read_by_the_general_reader(monkeypatch, app, **where),
    )
    pd.testing.assert_frame_equal(columns, general)
    assert columns.attrs == general.attrs


def mixed_store(app: Portfolios) -> tuple[UUID, UUID]:
    """Two portfolios holding every kind of event the projections count, and a void."""
    provenance = PriceProvenance("typed", DAY, True)
    pid = app.open_portfolio("Mix", DAY, Decimal(10_000))
    other = app.open_portfolio("Other", DAY, Decimal(50))
    app.buy(pid, "IBM", Decimal(10), Decimal("190.125"), DAY, provenance)
    app.deposit(other, Decimal("12.34"), date(2012, 11, 2))
    app.record_actions(
        pid,
        [
            CorporateAction("IBM", date(2012, 11, 7), "dividend", None, Decimal("0.86"), "typed"),
            CorporateAction("IBM", date(2012, 11, 8), "split", Decimal(2), None, "typed"),
        ],
    )
    app.sell(pid, "IBM", Decimal(5), Decimal("97.5"), date(2012, 11, 9), provenance, Decimal(1))
    app.withdraw(pid, Decimal("100.01"), date(2012, 11, 12))
    app.deposit(other, Decimal("7.00"), date(2012, 11, 13))
    typo = app.portfolio(other).version
    app.change(other, lambda p: p.void(typo, "typed twice", app.entries(other)))
    app.rename(pid, "Mixed")
    return pid, other


def test_pg_column_reader_equals_the_general_reader(
    pg_app: Portfolios, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid, other = mixed_store(pg_app)
    assert has_column_reader(pg_app)
    columns = pg_event_frame(pg_app, batch_rows=3)  # several batches
    pd.testing.assert_frame_equal(columns, general_reader(pg_app))
    by_type = columns.set_index("type")
    assert by_type.loc["SplitApplied", "ratio"] == 2
    dividend = by_type.loc["DividendReceived"]
    assert (dividend["quantity"], dividend["price"], dividend["amount"]) == (10, 0.86, 8.6)
    sold = by_type.loc["SharesSold"]
    assert (sold["quantity"], sold["price"], sold["value"], sold["fee"]) == (5, 97.5, 487.5, 1)
    bought = by_type.loc["SharesBought"]
    assert (bought["ticker"], bought["value"], bought["on"]) == (
        "IBM",
        1901.25,
        pd.Timestamp(DAY),
    )
    assert by_type.loc["CashWithdrawn", "amount"] == 100.01
    assert list(columns["portfolio"].unique()) == [str(pid), str(other)]
    assert np.all(np.diff(columns["seq"].to_numpy()) > 0)
    seqs = columns["seq"].to_numpy()
    ranges: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"after": int(seqs[-3])}, {"after": int(seqs[-3])}),
        (
            {"after": int(seqs[1]), "upto": int(seqs[-2])},
            {"after": int(seqs[1]), "upto": int(seqs[-2])},
        ),
        ({"portfolio": other}, {"originator_id": other}),
    ]
    for where, same in ranges:
        part = pg_event_frame(pg_app, batch_rows=2, **where)
        pd.testing.assert_frame_equal(part, general_reader(pg_app, **same))
        assert len(part) > 0
    # the void and the deposit it voids are left out alike, by either reader
    assert_read_alike(monkeypatch, pg_app)
    kept = load_event_frame(pg_app)
    assert kept.attrs[HAD_VOIDS] == 2
    assert kept.attrs[UNREADABLE] == frozenset()
    assert list(kept.loc[kept["portfolio"] == str(other), "amount"].dropna()) == [50, 12.34]
    assert_read_alike(monkeypatch, pg_app, portfolio=pid)
    assert_read_alike(monkeypatch, pg_app, after=int(seqs[2]))


def stored_deposit(app: Portfolios, pid: UUID, edit: Callable[[dict[str, Any]], bytes]) -> None:
    """Append to the portfolio a CashDeposited whose stored state is `edit` of a real one's."""
    head = app.recorder.select_events(pid, desc=True, limit=1)[0]
    state = {
        "timestamp": json.loads(head.state)["timestamp"],
        "amount": {"_type_": "decimal_str", "_data_": "250.00"},
        "on": {"_type_": "date_iso", "_data_": "2012-11-05"},
    }
    topic = TOPIC["CashDeposited"]
    event = StoredEvent(pid, head.originator_version + 1, topic, edit(state))
    app.recorder.insert_events([event])


def as_number(state: dict[str, Any]) -> bytes:
    state["amount"]["_data_"] = 250
    return json.dumps(state).encode()


def without_amount(state: dict[str, Any]) -> bytes:
    del state["amount"]
    return json.dumps(state).encode()


def bad_date(state: dict[str, Any]) -> bytes:
    state["on"]["_data_"] = "the fifth"
    return json.dumps(state).encode()


def not_utf8(_state: dict[str, Any]) -> bytes:
    return b'{"timestamp": \xff\xfe'


def not_json(_state: dict[str, Any]) -> bytes:
    return b'{"timestamp": '


@pytest.mark.parametrize("edit", [as_number, without_amount, bad_date, not_utf8, not_json])
def test_an_event_out_of_shape_leaves_it_to_the_general_reader(
    pg_app: Portfolios, monkeypatch: pytest.MonkeyPatch, edit: Callable[[dict[str, Any]], bytes]
) -> None:
    pid, other = mixed_store(pg_app)
    stored_deposit(pg_app, pid, edit)
    with pytest.raises(OutOfShapeError):
        pg_event_frame(pg_app)
    assert_read_alike(monkeypatch, pg_app)
    frame = load_event_frame(pg_app)
    if edit in (not_utf8, not_json, bad_date, as_number):  # unreadable: its portfolio left out
        assert frame.attrs[UNREADABLE] == frozenset({str(pid)})
        assert set(frame["portfolio"]) == {str(other)}
    else:  # readable, with no amount: the general reader keeps it, the amount NaN
        assert frame.attrs[UNREADABLE] == frozenset()
        last = frame[frame["portfolio"] == str(pid)].iloc[-1]
        assert (last["type"], np.isnan(last["amount"])) == ("CashDeposited", True)
    assert frame.attrs[HAD_VOIDS] == 2
    # the other portfolio alone is in shape: the column reader reads it
    pd.testing.assert_frame_equal(
        pg_event_frame(pg_app, portfolio=other),
        general_reader(pg_app, originator_id=other),
    )
