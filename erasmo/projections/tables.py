"""The tables a projection state reads out: the FIFO lots still open and the realized trades."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from erasmo.projections.frame import (
    CENTS_PER_UNIT_OF_MONEY,
    UNITS_PER_SHARE,
    Floats,
    Ints,
    timestamps,
)
from erasmo.projections.lots import FifoBook


@dataclass(frozen=True, slots=True)
class Sells:
    """Sells of one batch, grouped by ticker (realized P&L = proceeds - cost)."""

    seq: Ints
    on: Ints
    ticker: Ints
    units: Ints
    proceeds: Ints  # cents, value - fee
    cost_fifo: Floats
    cost_average: Floats


def open_lots(tickers: list[str], fifo: list[FifoBook]) -> pd.DataFrame:
    """The FIFO lots still open: ticker, seq, on, price, quantity, unit_cost, cost_basis."""
    parts = [
        pd.DataFrame(
            {
                "ticker": ticker,
                "seq": book.seq,
                "on": timestamps(book.on),
                "price": book.price,
                "quantity": book.remaining() / UNITS_PER_SHARE,
                "unit_cost": (book.cost / CENTS_PER_UNIT_OF_MONEY)
                / ((book.end - book.start) / UNITS_PER_SHARE),
                "cost_basis": book.remaining_cost(),
            }
        )
        for ticker, book in zip(tickers, fifo, strict=True)
        if len(book.seq)
    ]
    columns = ["ticker", "seq", "on", "price", "quantity", "unit_cost", "cost_basis"]
    if not parts:
        return pd.DataFrame({name: pd.Series([], dtype=_LOT_DTYPES[name]) for name in columns})
    lots = pd.concat(parts, ignore_index=True)
    return lots.sort_values("seq", kind="stable", ignore_index=True)


def realized_trades(tickers: list[str], sells: list[Sells]) -> pd.DataFrame:
    """Every sell in log order with its proceeds (value - fee), cost and realized P&L by
    FIFO and by average cost."""
    if sells:
        seq, on, ticker, units, proceeds, fifo, average = (
            np.concatenate([getattr(part, name) for part in sells]) for name in Sells.__slots__
        )
    else:
        seq, on, ticker, units, proceeds = (np.zeros(0, dtype=np.int64) for _ in range(5))
        fifo = average = np.zeros(0, dtype=np.float64)
    in_log_order = np.argsort(seq, kind="stable")
    seq, on, ticker, units = (
        seq[in_log_order],
        on[in_log_order],
        ticker[in_log_order],
        units[in_log_order],
    )
    proceeds, fifo, average = proceeds[in_log_order], fifo[in_log_order], average[in_log_order]
    money = proceeds / CENTS_PER_UNIT_OF_MONEY
    return pd.DataFrame(
        {
            "seq": seq,
            "on": timestamps(on),
            "ticker": np.array(tickers, dtype=object)[ticker],
            "quantity": units / UNITS_PER_SHARE,
            "proceeds": money,
            "cost_fifo": fifo,
            "realized_fifo": money - fifo,
            "cost_average": average,
            "realized_average": money - average,
        }
    )


_LOT_DTYPES: Final = {
    "ticker": "object",
    "seq": "int64",
    "on": "datetime64[ns]",
    "price": "float64",
    "quantity": "float64",
    "unit_cost": "float64",
    "cost_basis": "float64",
}
