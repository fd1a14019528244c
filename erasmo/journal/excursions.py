"""Maximum adverse and favourable excursion (MAE/MFE) of round trips, from daily bars.

A trade's window is the trading days after its entry day up to and including its exit day (the
valuation day for an open trade): erasmo fills at the close, so the entry day's range was traded
before the trade existed, and the exit day's range before it ended. The worst price is the lowest
low of the window, the entry price and the exit price; the best the highest high of them, so
MAE <= 0 <= MFE. Where a ticker's bars have no high and low (adjusted close-only series) the
close stands for both. Prices before a split inside the window are divided by the split's
ratio, so they are in the shares the trade's quantity counts.

    mae_pct = worst / entry_price - 1      mae = quantity * (worst - entry_price)
    mfe_pct = best / entry_price - 1       mfe = quantity * (best - entry_price)

A short is mirrored: a rise is adverse, so its worst price is the highest and its best the lowest
of the same prices, and

    mae_pct = 1 - highest / entry_price    mae = quantity * (entry_price - highest)
    mfe_pct = 1 - lowest / entry_price     mfe = quantity * (entry_price - lowest)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from erasmo.market.base import MarketData
from erasmo.projections.frame import Floats


@dataclass(frozen=True, slots=True)
class DailyRange:
    """One ticker's daily lows, highs and closes as floats, in the basis of the last day.

    Attributes:
        days: the trading days (sorted).
        low, high: the day's low and high divided by the splits after it (close where missing).
        close: the day's close, likewise divided.
        basis: the product of the ratios of the splits after each day.
        has_range: whether the source has highs and lows.
    """

    days: pd.DatetimeIndex
    low: Floats
    high: Floats
    close: Floats
    basis: Floats
    has_range: bool


def daily_range(
    market: MarketData, ticker: str, start: date, end: date, splits: pd.Series
) -> DailyRange:
    """The bars of `ticker` in [start, end] with `splits` (ratio indexed by ex-date) taken out."""
    bars = market.bars(ticker, start, end)
    days = pd.DatetimeIndex([pd.Timestamp(b.day) for b in bars])
    close = np.array([float(b.close) for b in bars], dtype=np.float64)
    low = np.array([np.nan if b.low is None else float(b.low) for b in bars], dtype=np.float64)
    high = np.array([np.nan if b.high is None else float(b.high) for b in bars], dtype=np.float64)
    has_range = bool(np.isfinite(low).any())
    low, high = np.where(np.isfinite(low), low, close), np.where(np.isfinite(high), high, close)
    basis = np.ones(len(days), dtype=np.float64)
    for ex_date, ratio in zip(splits.index, splits.to_numpy(np.float64), strict=True):
        basis[days < pd.Timestamp(ex_date)] *= float(ratio)
    return DailyRange(days, low / basis, high / basis, close / basis, basis, has_range)


def excursions(trades: pd.DataFrame, ranges: dict[str, DailyRange]) -> pd.DataFrame:
    """MAE and MFE (money and fraction) of each trade, and which prices they were taken from."""
    n = len(trades)
    entry = trades["entry_price"].to_numpy(np.float64)
    exit_price = trades["exit_price"].to_numpy(np.float64)
    worst, best = np.minimum(entry, exit_price), np.maximum(entry, exit_price)
    basis = np.array(["entry/exit"] * n, dtype=object)
    for ticker, positions in trades.groupby("ticker", sort=False).indices.items():
        rows = np.asarray(positions, dtype=np.int64)
        bars = ranges.get(str(ticker))
        if bars is None:
            continue
        firsts = bars.days.searchsorted(trades["entry_on"].to_numpy()[rows], side="right")
        lasts = bars.days.searchsorted(trades["exit_on"].to_numpy()[rows], side="right")
        for row, first, last in zip(rows.tolist(), firsts.tolist(), lasts.tolist(), strict=True):
            if last > first:
                # Bars are in the basis of their last day; a trade's prices in its exit day's.
                at_exit = bars.basis[last - 1]
                worst[row] = min(worst[row], float(bars.low[first:last].min()) * at_exit)
                best[row] = max(best[row], float(bars.high[first:last].max()) * at_exit)
        basis[rows] = "high/low" if bars.has_range else "close"
    quantity = trades["quantity"].to_numpy(np.float64)
    # a long gains as the price rises (sign +1), a short as it falls (-1), from the same range
    sign = np.where(trades["direction"].to_numpy() == "short", -1.0, 1.0)
    worst, best = np.where(sign > 0, worst, best), np.where(sign > 0, best, worst)
    return pd.DataFrame(
        {
            "mae": sign * quantity * (worst - entry),
            "mae_pct": sign * (worst / entry - 1.0),
            "mfe": sign * quantity * (best - entry),
            "mfe_pct": sign * (best / entry - 1.0),
            "excursion_prices": basis,
        },
        index=trades.index,
    )
