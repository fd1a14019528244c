"""The SQLite column reader gives the event frame the general (Arrow) reader gives, and the
numbers recorded."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from erasmo.market.base import CorporateAction
from erasmo.projections.columns import sqlite_event_frame
from erasmo.projections.frame import EVENT_TYPE_DTYPE
from erasmo.projections.source import _decode
from events.application import Portfolios
from events.portfolio import PORTFOLIO_TOPICS
from events.store import StoreConfig
from events.values import PriceProvenance


def general_reader(app: Portfolios, after: int = 0) -> pd.DataFrame:
    blocks = app.reader.json_lines(after=after, topics=list(PORTFOLIO_TOPICS))
    frame = pd.concat([_decode(block) for block in blocks], ignore_index=True)
    frame["type"] = frame["type"].astype(EVENT_TYPE_DTYPE)
    return frame


def test_column_reader_equals_the_general_reader_on_every_kind_of_event(tmp_path: Path) -> None:
    app = Portfolios(StoreConfig.sqlite(tmp_path / "mix.sqlite"))
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
    app.withdraw(pid, Decimal("100.01"), date(2012, 11, 12))
    app.rename(pid, "Mixed")
    columns = sqlite_event_frame(app, batch_rows=3)  # several batches
    pd.testing.assert_frame_equal(columns, general_reader(app))
    by_type = columns.set_index("type")
    assert by_type.loc["SplitApplied", "ratio"] == 2
    dividend = by_type.loc["DividendReceived"]
    assert (dividend["quantity"], dividend["price"], dividend["amount"]) == (10, 0.86, 8.6)
    sold = by_type.loc["SharesSold"]
    assert (sold["quantity"], sold["price"], sold["value"], sold["fee"]) == (5, 97.5, 487.5, 1)
    assert by_type.loc["CashWithdrawn", "amount"] == 100.01
    assert list(columns["portfolio"].unique()) == [str(pid), str(other)]
    assert np.all(np.diff(columns["seq"].to_numpy()) > 0)
    tail = sqlite_event_frame(app, after=int(columns["seq"].iloc[-3]))
    pd.testing.assert_frame_equal(tail, general_reader(app, after=int(columns["seq"].iloc[-3])))
    assert len(tail) == 2
    app.close()
