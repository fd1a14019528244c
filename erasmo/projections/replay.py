"""Replay: the portfolio event by event, with what each event changed.

One row per event, in log order: the cash it moved, the cash and the position of its ticker
after it, and the portfolio's total value after it, valued at that day's closes (the latest
earlier close when a day's is missing, the trade price when there is none yet).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from erasmo.projections.frame import BOUGHT, DEPOSITED, SOLD, WITHDRAWN

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
    value = events["value"].fillna(0.0).to_numpy(float)
    fee = events["fee"].fillna(0.0).to_numpy(float)
    amount = events["amount"].fillna(0.0).to_numpy(float)
    cents = np.select(
        [kind == DEPOSITED, kind == WITHDRAWN, kind == BOUGHT, kind == SOLD],
        [amount, -amount, -(value + fee), value - fee],
        0.0,
    )
    cash_change = np.rint(cents * 100).astype(np.int64)
    cash_after = np.cumsum(cash_change) / 100
    signed = np.where(kind == BOUGHT, 1, np.where(kind == SOLD, -1, 0))
    units = np.rint(events["quantity"].fillna(0.0).to_numpy(float) * 1_000_000).astype(np.int64)
    tickers = events["ticker"].to_numpy(object)
    position_after = np.full(len(events), np.nan)
    value_after = np.empty(len(events))
    prices_paid = events["price"].to_numpy(float)
    held: dict[str, int] = {}
    last_trade: dict[str, float] = {}
    closes = prices.ffill()
    days = closes.index
    on = pd.DatetimeIndex(events["on"])
    rows = days.searchsorted(on, side="right") - 1
    for i in range(len(events)):
        ticker = tickers[i]
        if signed[i]:
            held[ticker] = held.get(ticker, 0) + int(signed[i] * units[i])
            last_trade[ticker] = float(prices_paid[i])
            position_after[i] = held[ticker] / 1_000_000
        total = cash_after[i]
        for name, quantity in held.items():
            if quantity:
                total += quantity / 1_000_000 * _close(closes, rows[i], name, last_trade[name])
        value_after[i] = round(total, 2)
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


def _close(closes: pd.DataFrame, row: int, ticker: str, fallback: float) -> float:
    if row < 0 or ticker not in closes.columns:
        return fallback
    price = float(closes[ticker].to_numpy(float)[row])
    return fallback if np.isnan(price) else price
