"""Drawdowns of a wealth index (1 + cumulative return): the worst fall and the longest one."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from erasmo.projections.frame import Floats, Ints


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The deepest and the longest fall of a wealth index below its running peak.

    Attributes:
        max_drawdown: the largest 1 - wealth / running peak, as a fraction; 0 if it never fell.
        peak: the last date at the peak the deepest fall started from (None if no fall).
        trough: the date of the deepest point (None if no fall).
        recovery: the first date after the trough back at (or above) that peak, None if never.
        longest_days: calendar days of the longest fall, from the last date at a peak to the
            first date back at it, or to the series' last date when it has not recovered.
    """

    max_drawdown: float
    peak: pd.Timestamp | None
    trough: pd.Timestamp | None
    recovery: pd.Timestamp | None
    longest_days: int


def drawdown(wealth: pd.Series[float]) -> Drawdown:
    """The drawdowns of `wealth`, a positive index (such as 1 + TTWROR) over sorted dates."""
    days = pd.DatetimeIndex(wealth.index).to_numpy("datetime64[D]").astype(np.int64)
    values: Floats = np.asarray(wealth.to_numpy(), dtype=np.float64)
    return drawdown_of(values, days)


def drawdown_of(values: Floats, days: Ints) -> Drawdown:
    """The drawdowns of the wealth index `values` on `days` (days since 1970-01-01, sorted)."""
    if len(values) == 0:
        return Drawdown(0.0, None, None, None, 0)
    peaks = np.maximum.accumulate(values)
    falls = np.divide(values, peaks, out=np.ones_like(values), where=peaks > 0)
    falls = 1.0 - falls
    trough = int(np.argmax(falls))
    if falls[trough] <= 0:
        return Drawdown(0.0, None, None, None, 0)
    top = peaks[trough]
    peak = int(np.flatnonzero(values[: trough + 1] == top)[-1])
    back = np.flatnonzero(values[trough + 1 :] >= top)
    recovery = _timestamp(days[trough + 1 + int(back[0])]) if len(back) else None
    under = np.concatenate([[0], (values < peaks).astype(np.int8), [0]])
    edges = np.diff(under)
    starts = np.flatnonzero(edges == 1)  # first day under water (never day 0)
    ends = np.flatnonzero(edges == -1)  # first day back at the peak, or len(values)
    ended = days[np.minimum(ends, len(values) - 1)]
    longest = int((ended - days[starts - 1]).max())
    return Drawdown(
        float(falls[trough]), _timestamp(days[peak]), _timestamp(days[trough]), recovery, longest
    )


def _timestamp(day: np.int64) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D").astype("datetime64[ns]"))
