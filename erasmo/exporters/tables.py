"""Tables of a portfolio for pandas, CSV and Parquet: its trades (and every other cash or share
movement), its holdings and its daily value. pandas is imported by the caller's first use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from erasmo.exporters.entries import Entry

if TYPE_CHECKING:
    import pandas as pd

    from erasmo.projections.holdings import Snapshot
    from erasmo.projections.series import ValueSeries

#: The columns of `trades_frame`, with their dtypes.
TRADE_COLUMNS = {
    "date": "datetime64[ns]",
    "kind": "string",
    "ticker": "string",
    "quantity": "float64",
    "price": "float64",
    "value": "float64",
    "fee": "float64",
    "cash": "float64",
    "source": "string",
}
TABLES = ("trades", "holdings", "value")


def trades_frame(entries: Sequence[Entry]) -> pd.DataFrame:
    """One row per deposit, withdrawal, trade, dividend and split, in order (columns and
    dtypes: TRADE_COLUMNS; `cash` is signed, `price` a dividend's amount per share or a
    split's ratio)."""
    import pandas as pd

    rows = [
        (e.day, e.kind, e.ticker, e.quantity, e.price, e.value, e.fee, e.cash, e.source)
        for e in entries
    ]
    frame = pd.DataFrame(rows, columns=list(TRADE_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    for column in ("quantity", "price", "value", "fee", "cash"):
        frame[column] = pd.to_numeric(frame[column].astype(object), errors="coerce").astype(
            "float64"
        )
    for column in ("kind", "ticker", "source"):
        frame[column] = frame[column].astype("string")
    return frame


def holdings_frame(snapshot: Snapshot) -> pd.DataFrame:
    """The holdings (one row a ticker, index "ticker"; erasmo's HOLDING_COLUMNS)."""
    return snapshot.positions.copy()


def value_frame(series: ValueSeries) -> pd.DataFrame:
    """The daily value: columns positions, cash, total, deposits, withdrawals (index date)."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "positions": series.positions,
            "cash": series.cash,
            "total": series.total,
            "deposits": series.deposits,
            "withdrawals": series.withdrawals,
        }
    ).astype("float64")
    frame.index.name = "date"
    return frame
