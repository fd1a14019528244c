"""The day change of a position counting only the moves its shares were held for.

`erasmo.projections.holdings` counts quantity × (last − previous close), so shares bought
today appear to have moved from yesterday's close, before they were owned. Here the shares held
at the previous close move from it, shares bought since move from their purchase price, and
shares sold since count their move up to the sale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from erasmo.projections.holdings import Snapshot


def trade_day_changes(
    shot: Snapshot, events: pd.DataFrame, prices: pd.DataFrame
) -> dict[str, float]:
    """Each position's day change counting only the moves it owned: the shares held at the
    previous close move from that close, shares bought since move from their purchase price,
    shares sold since count their move up to the sale price.

    change = quantity × last − quantity before × previous close − Σ bought × price
             + Σ sold × price (fees are not price moves and are left out).

    `events` is the portfolio's event frame up to the moment shown; `prices` the daily closes.
    Tickers without a previous close keep the snapshot's figure.
    """
    positions = shot.positions
    day = shot.summary.as_of
    if day is None or positions.empty:
        return {}
    calendar = pd.DatetimeIndex(prices.index)
    row = int(calendar.searchsorted(pd.Timestamp(day), "right")) - 1
    previous_day = calendar[row - 1] if row >= 1 else None
    since = events["on"] <= pd.Timestamp(day)
    if previous_day is not None:
        since &= events["on"] > previous_day
    trades = events[since & events["type"].astype(str).isin(("SharesBought", "SharesSold"))]
    changes: dict[str, float] = {}
    for ticker, p in positions.iterrows():
        previous_close = _previous_close(prices, str(ticker), row)
        if previous_close is None:
            continue
        mine = trades[trades["ticker"] == ticker]
        bought = mine[mine["type"].astype(str) == "SharesBought"]
        sold = mine[mine["type"].astype(str) == "SharesSold"]
        q_end = float(p["quantity"])
        q_before = q_end - float(bought["quantity"].sum()) + float(sold["quantity"].sum())
        spent = float((bought["quantity"] * bought["price"]).sum())
        received = float((sold["quantity"] * sold["price"]).sum())
        last = float(p["last_price"])
        changes[str(ticker)] = q_end * last - q_before * previous_close - spent + received
    return changes


def _previous_close(prices: pd.DataFrame, ticker: str, row: int) -> float | None:
    if row < 1 or ticker not in prices.columns:
        return None
    earlier = prices[ticker].iloc[:row].dropna()
    return None if earlier.empty else float(earlier.iloc[-1])
