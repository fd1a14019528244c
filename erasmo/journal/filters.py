"""Which trades a journal read keeps: one ticker, one tag, one outcome and a period.

The one rule for a period, for the command line, the front door and the Journal tab alike
(`in_period`): a trade is in the period [start, end] (both days included, None: no bound) when
its **exit day** lies in it; an open trade's exit day is the valuation day, the day its P&L is
measured on. So a past period holds only closed trades, and its statistics do not move with
the prices after it; `statistics_by(..., "month")` and `monthly_pnl` group by the same day.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import numpy as np
import pandas as pd

from events.errors import InvalidInputError

#: The outcomes a read can keep: pnl > 0, pnl < 0, still open, closed.
WINNERS, LOSERS, OPEN, CLOSED = "winners", "losers", "open", "closed"
OUTCOMES: Final = (WINNERS, LOSERS, OPEN, CLOSED)


class TradeFilterError(InvalidInputError):
    """A filter the trades cannot be read with (an unknown outcome, a period that ends before
    it starts)."""


def in_period(trades: pd.DataFrame, start: date | None, end: date | None) -> np.ndarray:
    """Which `trades` (rows of a `round_trips` frame) have their exit day (an open trade's: the
    valuation day) in [start, end]; a bound of None is no bound."""
    exits = pd.DatetimeIndex(trades["exit_on"])
    keep = np.ones(len(trades), dtype=bool)
    if start is not None:
        keep &= np.asarray(exits >= pd.Timestamp(start), dtype=bool)
    if end is not None:
        keep &= np.asarray(exits <= pd.Timestamp(end), dtype=bool)
    return keep


def selected(
    trades: pd.DataFrame,
    *,
    ticker: str | None = None,
    tag: str | None = None,
    outcome: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """The rows of `trades` of `ticker` (any case), whose entry carries `tag` (any case; needs
    the door's `tags` column), of `outcome` (one of OUTCOMES) and `in_period`; None (or "")
    keeps every trade."""
    if outcome and outcome not in OUTCOMES:
        raise TradeFilterError(f"Outcome {outcome!r} is not one of {', '.join(OUTCOMES)}.")
    if start is not None and end is not None and end < start:
        raise TradeFilterError(f"The period ends ({end}) before it starts ({start}).")
    keep = in_period(trades, start, end)
    if ticker:
        wanted = ticker.strip().upper()
        keep &= (trades["ticker"].astype(str).str.upper() == wanted).to_numpy(bool)
    if tag:
        word = tag.strip().lower()
        keep &= np.fromiter((word in tags for tags in trades["tags"]), bool, len(trades))
    if outcome:
        pnl = trades["pnl"].to_numpy(np.float64)
        is_open = (trades["status"] == OPEN).to_numpy(bool)
        keep &= {WINNERS: pnl > 0, LOSERS: pnl < 0, OPEN: is_open, CLOSED: ~is_open}[outcome]
    return trades[keep].reset_index(drop=True)
