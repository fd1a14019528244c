"""A benchmark on the portfolio's own cash-flow basis, and the two time-weighted return lines.

The benchmark is the portfolio's money put in the index instead: each deposit buys units of
the index at that day's close, each withdrawal sells units at that day's close, so the
benchmark's value line receives exactly the portfolio's external flows on the same days. A
portfolio that only received deposits therefore no longer appears to beat the index.

In return terms both lines are time-weighted (TTWROR, Portfolio Performance's convention): the
portfolio's product of daily returns with the flows taken out (`erasmo.projections.metrics`),
the benchmark's close over its close on the first day the portfolio held value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

import numpy as np
import pandas as pd

from erasmo.projections.metrics import daily_returns

if TYPE_CHECKING:
    from erasmo.analytics import Analytics, Moment

#: The default benchmark (the bundled market data has its closes).
BENCHMARK = "^GSPC"


@dataclass(frozen=True, slots=True)
class BenchmarkLines:
    """The portfolio and its benchmark on the portfolio's trading days.

    Attributes:
        value: the benchmark's value with the portfolio's deposits and withdrawals (NaN
            before the first deposit).
        portfolio_return: the portfolio's cumulative TTWROR (0 on its first day).
        benchmark_return: the benchmark's cumulative return from the portfolio's first day
            with value (NaN before it).
    """

    value: pd.Series[float]
    portfolio_return: pd.Series[float]
    benchmark_return: pd.Series[float]


def flow_matched(
    closes: pd.Series[float], deposits: pd.Series[float], withdrawals: pd.Series[float]
) -> pd.Series[float]:
    """The value of an index account that buys units with each deposit and sells units with
    each withdrawal, at that day's close (all three indexed by the same days; flows >= 0).

    NaN before the first deposit and wherever the close is missing.
    """
    close = closes.to_numpy(float)
    net = deposits.to_numpy(float) - withdrawals.to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        bought = np.where(net != 0, net / close, 0.0)
    units = np.cumsum(np.nan_to_num(bought))
    started = np.cumsum(deposits.to_numpy(float) > 0) > 0
    value = np.where(started, units * close, np.nan)
    return pd.Series(value, index=closes.index, name="benchmark")


def cumulative_return(
    total: pd.Series[float], deposits: pd.Series[float], withdrawals: pd.Series[float]
) -> pd.Series[float]:
    """The portfolio's TTWROR from its first day to each day (the flows taken out)."""
    if not len(total):
        return pd.Series(np.zeros(0), index=total.index, name="ttwror")
    returns = daily_returns(total, deposits, withdrawals)
    growth = 1.0 + returns.reindex(total.index).fillna(0.0).to_numpy(float)
    return pd.Series(np.cumprod(growth) - 1.0, index=total.index, name="ttwror")


def price_return(closes: pd.Series[float], total: pd.Series[float]) -> pd.Series[float]:
    """The index's return from the portfolio's first day with value (NaN before it)."""
    invested = total[total > 0]
    if invested.empty:
        return pd.Series(np.nan, index=total.index, name="benchmark_return")
    first = invested.index[0]
    base = float(closes.loc[first])
    result = (closes / base - 1.0).where(total.index >= first)
    return result.rename("benchmark_return")


def benchmark_lines(
    analytics: Analytics, portfolio_id: UUID, moment: Moment, ticker: str = BENCHMARK
) -> BenchmarkLines:
    """The benchmark on the portfolio's cash-flow basis and both return lines, up to `moment`.

    Raises the analytics' ErasmoError when the market data has no closes for `ticker`.
    """
    series = analytics.value(portfolio_id, moment)
    total = series.total
    closes = analytics.benchmark_closes(ticker).reindex(total.index, method="ffill")
    return BenchmarkLines(
        value=flow_matched(closes, series.deposits, series.withdrawals),
        portfolio_return=cumulative_return(total, series.deposits, series.withdrawals),
        benchmark_return=price_return(closes, total),
    )
