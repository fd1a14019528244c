"""The row reader (orjson on each stored state) gives the event frame the general (Arrow) reader
gives, on SQLite and on PostgreSQL, and hands an event out of shape to the general reader."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from erasmo.market.base import CorporateAction
from erasmo.projections.columns import OutOfShapeError
from erasmo.projections.frame import EVENT_TYPE_DTYPE
from erasmo.projections.rows import stored_event_frame
from erasmo.projections.source import _decode, load_event_frame
from events.application import Portfolios
from events.portfolio import PORTFOLIO_TOPICS
from events.values import PriceProvenance


def general_reader(app: Portfolios, after: int = 0) -> pd.DataFrame:
    blocks = app.reader.json_lines(after=after, topics=list(PORTFOLIO_TOPICS))
    frame = pd.concat([_decode(block) for block in blocks], ignore_index=True)
    frame["type"] = frame["type"].astype(EVENT_TYPE_DTYPE)
    return frame


def test_row_reader_equals_the_general_reader_on_every_kind_of_event(app: Portfolios) -> None:
    day = date(2012, 11, 1)
    source = PriceProvenance("typed", day, True)
    pid = app.open_portfolio("Mix", day, Decimal(10_000))
    other = app.open_portfolio("Other", day, Decimal(50))
    app.buy(pid, "IBM", Decimal(10), Decimal("190.125"), day, source)
    app.deposit(other, Decimal("12.34"), date(2012, 11, 2))
    app.record_actions(
        pid,
        [
            CorporateAction("IBM", date(2012, 11, 7), "dividend", None, Decimal("0.86"), "typed"),
            CorporateAction("IBM", date(2012, 11, 8), "split", Decimal(2), None, "typed"),
        ],
    )
    app.sell(pid, "IBM", Decimal(5), Decimal("97.5"), date(2012, 11, 9), source, Decimal(1))
    app.buy(other, "KO", Decimal("0.5"), Decimal("40"), date(2012, 11, 9), source)
    app.withdraw(pid, Decimal("100.01"), date(2012, 11, 12))
    app.rename(pid, "Mixed")
    rows = stored_event_frame(app, batch_rows=3)  # several batches
    pd.testing.assert_frame_equal(rows, general_reader(app))
    by_type = rows.set_index("type")
    assert by_type.loc["SplitApplied", "ratio"] == 2
    dividend = by_type.loc["DividendReceived"]
    assert (dividend["quantity"], dividend["price"], dividend["amount"]) == (10, 0.86, 8.6)
    sold = by_type.loc["SharesSold"]
    assert (sold["quantity"], sold["price"], sold["value"], sold["fee"]) == (5, 97.5, 487.5, 1)
    assert by_type.loc["CashWithdrawn", "amount"] == 100.01
    assert list(rows["portfolio"].unique()) == [str(pid), str(other)]
    assert list(rows["ticker"].dropna()) == ["IBM", "IBM", "IBM", "IBM", "KO"]
    assert np.all(np.diff(rows["seq"].to_numpy()) > 0)
    after = int(rows["seq"].iloc[-3])
    pd.testing.assert_frame_equal(
        stored_event_frame(app, after=after), general_reader(app, after=after)
    )
    mine = stored_event_frame(app, portfolio=pid, upto=int(rows["seq"].iloc[-2]))
    assert set(mine["portfolio"]) == {str(pid)}
    assert len(mine) == int((rows["portfolio"] == str(pid)).sum()) - 1  # not the rename


def test_an_event_out_of_shape_goes_to_the_general_reader(sqlite_app: Portfolios) -> None:
    day = date(2012, 11, 1)
    good = sqlite_app.open_portfolio("Good", day, Decimal(100))
    bad = sqlite_app.open_portfolio("Bad", day, Decimal(100))
    table = sqlite_app.reader.table
    with sqlite_app.reader.datastore.transaction(commit=True) as cursor:
        cursor.execute(
            f"UPDATE {table} SET state = ? WHERE originator_id = ? AND topic LIKE '%Deposited'",
            [b'{"amount": {"_data_": "lots"}, "on": {"_data_": "2012-11-01"}}', bad.hex],
        )
    with pytest.raises(OutOfShapeError):
        stored_event_frame(sqlite_app)
    frame = load_event_frame(sqlite_app)  # the general reader leaves the bad portfolio out
    assert set(frame["portfolio"]) == {str(good)}
    assert frame["amount"].dropna().tolist() == [100.0]
