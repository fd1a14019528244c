"""Replay: the portfolio event by event, with what each event changed.

One row per event, in log order: the cash it moved, the cash and the position of its ticker
after it, and the portfolio's total value after it, valued at that day's closes (the latest
earlier close when a day's is missing, the trade price when there is none yet). A split changes
the position (not the cash); a dividend changes the cash (not the position).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd

from erasmo.projections.frame import (
    BOUGHT,
    DEPOSITED,
    DIVIDEND,
    MARGIN_CHARGED,
    SOLD,
    SPLIT,
    WITHDRAWN,
    Bools,
    Floats,
    Ints,
)

REPLAY_COLUMNS = (
    "seq",
    "version",
    "on",
    "type",
    "ticker",
    "quantity",
    "price",
    "cash_change",
    "cash_after",
    "position_after",
    "value_after",
)


def replay_steps(events: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """The steps of replaying `events` (one portfolio's, in log order) on `prices`."""
    kind = events["type"].astype(str).to_numpy()
    cash_change = _cash_change(events, kind)
    cash_after = np.cumsum(cash_change) / 100
    signed = np.where(kind == BOUGHT, 1, np.where(kind == SOLD, -1, 0))
    units = np.rint(events["quantity"].fillna(0.0).to_numpy(float) * 1_000_000).astype(np.int64)
    tickers = events["ticker"].to_numpy(object)
    position_after = np.full(len(events), np.nan)
    prices_paid = events["price"].to_numpy(float)
    # Positions and prices per (event, ticker), vectorised: a cumulative sum of the signed
    # units per ticker, and each ticker's close on the event's day (forward-filled), falling
    # back to its latest trade price where there is no close yet.
    split = kind == SPLIT
    traded = (signed != 0) | split | (kind == DIVIDEND)
    names = sorted({str(t) for t in tickers[traded]})
    code = {name: i for i, name in enumerate(names)}
    n, k = len(events), len(names)
    delta = np.zeros((n, k), dtype=np.int64)
    trade_price = np.full((n, k), np.nan)
    where = np.flatnonzero(traded)
    columns = np.array([code[str(t)] for t in tickers[where]], dtype=np.int64)
    delta[where, columns] = signed[where] * units[where]
    trade_price[where, columns] = np.where(signed[where] != 0, prices_paid[where], np.nan)
    held = _apply_splits(events, split, tickers, code, delta, trade_price)
    position_after[where] = held[where, columns] / 1_000_000
    price = _marks(events, prices, names, trade_price)
    worth = np.where(held != 0, held / 1_000_000 * np.nan_to_num(price), 0.0)
    value_after = np.round(cash_after + worth.sum(axis=1), 2)
    return pd.DataFrame(
        {
            "seq": events["seq"].to_numpy(),
            "version": events["version"].to_numpy(),
            "on": events["on"].to_numpy(),
            "type": kind,
            "ticker": tickers,
            "quantity": events["quantity"].to_numpy(),
            "price": events["price"].to_numpy(),
            "cash_change": cash_change / 100,
            "cash_after": cash_after,
            "position_after": position_after,
            "value_after": value_after,
        },
        columns=list(REPLAY_COLUMNS),
    )


def _cash_change(events: pd.DataFrame, kind: npt.NDArray[np.object_]) -> Ints:
    """Each event's change to the cash balance, in cents."""
    value = events["value"].fillna(0.0).to_numpy(float)
    fee = events["fee"].fillna(0.0).to_numpy(float)
    amount = events["amount"].fillna(0.0).to_numpy(float)
    cents = np.select(
        [
            *(kind == DEPOSITED, kind == WITHDRAWN, kind == BOUGHT, kind == SOLD),
            *(kind == DIVIDEND, kind == MARGIN_CHARGED),
        ],
        [amount, -amount, -(value + fee), value - fee, amount, -amount],
        0.0,
    )
    change: Ints = np.rint(cents * 100).astype(np.int64)
    return change


def _apply_splits(
    events: pd.DataFrame,
    split: Bools,
    tickers: npt.NDArray[np.object_],
    code: dict[str, int],
    delta: Ints,
    trade_price: Floats,
) -> Ints:
    """The units held per (event, ticker) after each event, splits applied: writes each split's
    change of units into `delta` and its fallback price, in shares after the split, into
    `trade_price`."""
    held = np.cumsum(delta, axis=0)
    n = len(events)
    ratios = events["ratio"].to_numpy(float) if "ratio" in events else np.full(n, np.nan)
    for row in np.flatnonzero(split).tolist():  # splits are rare: one pass each
        column = code[str(tickers[row])]
        before = int(held[row, column]) - int(delta[row, column])
        ratio = Fraction(Decimal(repr(float(ratios[row]))))
        delta[row, column] = before * ratio.numerator // ratio.denominator - before
        held = np.cumsum(delta, axis=0)
        latest = trade_price[: row + 1, column]
        known_prices = latest[~np.isnan(latest)]
        if len(known_prices):  # the fallback price, in shares after the split
            trade_price[row, column] = known_prices[-1] / float(ratios[row])
    return held


def _marks(
    events: pd.DataFrame,
    prices: pd.DataFrame,
    names: list[str],
    trade_price: Floats,
) -> Floats:
    """Each ticker's price at each event: its close on the event's day (forward-filled), else its
    latest trade price."""
    latest_trade = pd.DataFrame(trade_price).ffill().to_numpy(float)
    closes = prices.reindex(columns=names).ffill()
    rows = closes.index.searchsorted(pd.DatetimeIndex(events["on"]), side="right") - 1
    close = np.full((len(events), len(names)), np.nan)
    known = rows >= 0
    close[known] = closes.to_numpy(float)[rows[known]]
    return np.where(np.isnan(close), latest_trade, close)
