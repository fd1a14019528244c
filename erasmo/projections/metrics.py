"""Performance metrics over a reporting period, following Portfolio Performance (PP).

The period is given by two calendar dates, start < end. The portfolio's value at a date is its
total value (holdings + cash) at the close of the last trading day on or before it; before the
first event it is 0. The period's daily returns are those of the trading days t with
start < t <= end; the cash flows counted are the deposits and withdrawals of those days.

Conventions (PP's "True Time-Weighted Rate of Return" and "Internal Rate of Return"):

- daily return r_t = (MV_t + CFout_t) / (MV_{t-1} + CFin_t) - 1, deposits being inflows at the
  start of the day (CFin) and withdrawals outflows at its end (CFout, a positive amount);
  r_t = 0 when the denominator is 0 (a day with nothing in the portfolio). Buys, sells and fees
  are not flows: fees lower the return, as do a margin account's interest and borrow fees.
- with shorts and leverage (a margin account) the value is the equity: cash (negative for a
  debit balance) plus the positions' market values (negative for shorts). A day that ends with
  the equity at or below 0 returns -100% at most (r_t >= -1: no more than everything can be
  lost), and a day that starts with no positive equity (MV_{t-1} + CFin_t <= 0) returns 0:
  once the equity is wiped out the wealth index stays at 0 until a deposit restores it, and
  the drawdown is then 100%. The IRR of such a period is usually undefined (NaN, with a note).
- TTWROR (cumulative) = prod(1 + r_t) - 1; annualised = (1 + TTWROR)^(365 / days) - 1 with
  days = calendar days from start to end.
- IRR: the annual rate x - 1 solving sum_i v_i * x^(-d_i / 365) = 0, with v_0 = -MV_start at
  d = 0, each deposit negative and each withdrawal positive at its calendar day d since start,
  and +MV_end at d = days.
- drawdowns are measured on the wealth index 1 + TTWROR_t (1 at start).
- volatility of the daily log returns log(1 + r_t): `volatility_period` = std(ddof=1) * sqrt(n)
  over the period's n trading-day returns (PP's figure: the standard deviation scaled to the
  whole period); `volatility_annualized` = std(ddof=1) * sqrt(252) (empyrical's convention).
- `sharpe_pp` = (IRR - risk_free) / volatility_period, as the analytics issue asks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from erasmo.projections.drawdown import drawdown_of
from erasmo.projections.frame import Floats, Ints
from erasmo.projections.irr import IrrResult, irr
from erasmo.projections.series import value_series
from erasmo.projections.state import ProjectionState

TRADING_DAYS_PER_YEAR = 252
DAYS_PER_YEAR = 365


@dataclass(frozen=True, slots=True)
class BenchmarkComparison:
    """The portfolio against a benchmark's closes over the same period.

    Attributes:
        ttwror: the benchmark's return, close(end) / close(start) - 1 (closes on or before).
        ttwror_annualized: (1 + ttwror)^(365 / days) - 1.
        excess_return: portfolio TTWROR - benchmark TTWROR.
        beta: cov(r_p, r_b) / var(r_b) of the daily returns (ddof=1 for both).
        correlation: Pearson correlation of the daily returns.
    """

    ttwror: float
    ttwror_annualized: float
    excess_return: float
    beta: float
    correlation: float


@dataclass(frozen=True, slots=True)
class Metrics:
    """Performance of a portfolio over [start, end]; conventions in the module docstring.

    Attributes:
        start, end: the period's calendar dates.
        start_value, end_value: total value at start and at end.
        deposits, withdrawals: external flows inside the period (both >= 0).
        net_flows: deposits - withdrawals.
        delta: end_value - start_value - net_flows (PP's "Delta": the gain the investments made,
            fees included).
        ttwror, ttwror_annualized: true time-weighted return, cumulative and annualised.
        irr: money-weighted annual rate; NaN when no rate solves the equation (see irr_note).
        irr_note: why irr is NaN, or None.
        max_drawdown: the largest fall of 1 + TTWROR from a running peak, as a fraction (0.25 =
            a quarter lost); 0 when it never fell.
        max_drawdown_peak, max_drawdown_trough: dates of that peak and of the lowest point.
        max_drawdown_recovery: first date back at the peak, None if not recovered by end.
        longest_drawdown_days: calendar days of the longest stretch under a previous peak, from
            the peak to the recovery (or to the last trading day if not recovered).
        volatility_period: std(log(1 + r_t), ddof=1) * sqrt(n) for the n daily returns.
        volatility_annualized: std(log(1 + r_t), ddof=1) * sqrt(252).
        sharpe_pp: (irr - risk_free) / volatility_period.
        risk_free: the annual risk-free rate used.
        days: calendar days from start to end.
        trading_days: n, the number of daily returns.
        benchmark: the comparison with a benchmark, when one was given.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    start_value: float
    end_value: float
    deposits: float
    withdrawals: float
    net_flows: float
    delta: float
    ttwror: float
    ttwror_annualized: float
    irr: float
    irr_note: str | None
    max_drawdown: float
    max_drawdown_peak: pd.Timestamp | None
    max_drawdown_trough: pd.Timestamp | None
    max_drawdown_recovery: pd.Timestamp | None
    longest_drawdown_days: int
    volatility_period: float
    volatility_annualized: float
    sharpe_pp: float
    risk_free: float
    days: int
    trading_days: int
    benchmark: BenchmarkComparison | None = None

    @property
    def sharpe(self) -> float:
        """Alias of `sharpe_pp`."""
        return self.sharpe_pp


def metrics(
    source: pd.DataFrame | ProjectionState,
    prices: pd.DataFrame,
    start: date | str | pd.Timestamp | None = None,
    end: date | str | pd.Timestamp | None = None,
    *,
    benchmark: pd.Series[float] | None = None,
    risk_free: float = 0.0,
) -> Metrics:
    """Metrics of the portfolio over [start, end], valued on `prices`' calendar.

    start defaults to the day before the first event (so the first day's gain counts), end to
    the calendar's last day.
    """
    daily = value_series(source, prices, end)
    return performance(
        daily.total,
        daily.deposits,
        daily.withdrawals,
        start,
        end,
        benchmark=benchmark,
        risk_free=risk_free,
    )


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period's days, values, flows and PP daily returns (module docstring).

    Attributes:
        start, end: the period's calendar dates.
        start_value: total value at start.
        dates: the trading days t with start < t <= end.
        days: the same days, as days since 1970-01-01.
        values, deposits, withdrawals, returns: per day of `dates`.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    start_value: float
    dates: pd.DatetimeIndex
    days: Ints
    values: Floats
    deposits: Floats
    withdrawals: Floats
    returns: Floats


def _period(
    total: pd.Series[float],
    deposits: pd.Series[float],
    withdrawals: pd.Series[float],
    start: date | str | pd.Timestamp | None,
    end: date | str | pd.Timestamp | None,
) -> Period:
    """The period's dates, values, flows and PP daily returns (module docstring)."""
    index = pd.DatetimeIndex(total.index)
    if start is None:
        first = index[0] if len(index) else pd.Timestamp("1970-01-02")
        begin = first - pd.Timedelta(days=1)
    else:
        begin = pd.Timestamp(start).normalize()
    finish = (
        pd.Timestamp(end).normalize() if end is not None else index[-1] if len(index) else begin
    )
    values = np.asarray(total, dtype=np.float64)
    before = int(index.searchsorted(begin, side="right"))
    after = int(index.searchsorted(finish, side="right"))
    start_value = float(values[before - 1]) if before > 0 else 0.0
    inside = slice(before, max(before, after))
    window = values[inside]
    cf_in = np.asarray(deposits, dtype=np.float64)[inside]
    cf_out = np.asarray(withdrawals, dtype=np.float64)[inside]
    dates = index[inside]
    days = dates.to_numpy("datetime64[D]").astype(np.int64)
    returns = period_returns(start_value, window, cf_in, cf_out)
    return Period(begin, finish, start_value, dates, days, window, cf_in, cf_out, returns)


def period_returns(start_value: float, values: Floats, cf_in: Floats, cf_out: Floats) -> Floats:
    """PP's daily returns of `values` after a day valued `start_value` (module docstring)."""
    previous = np.concatenate([[start_value], values[:-1]])
    denominator = previous + cf_in
    returns: Floats = (
        np.divide(values + cf_out, denominator, out=np.ones_like(values), where=denominator > 0)
        - 1.0
    )
    return np.maximum(returns, -1.0)  # equity gone below 0 (leverage, shorts): all of it lost


def daily_returns(
    total: pd.Series[float],
    deposits: pd.Series[float],
    withdrawals: pd.Series[float],
    start: date | str | pd.Timestamp | None = None,
    end: date | str | pd.Timestamp | None = None,
) -> pd.Series[float]:
    """PP's daily returns r_t of the trading days in (start, end] (module docstring)."""
    period = _period(total, deposits, withdrawals, start, end)
    return pd.Series(period.returns, index=period.dates, name="return")


def performance(
    total: pd.Series[float],
    deposits: pd.Series[float],
    withdrawals: pd.Series[float],
    start: date | str | pd.Timestamp | None = None,
    end: date | str | pd.Timestamp | None = None,
    *,
    benchmark: pd.Series[float] | None = None,
    risk_free: float = 0.0,
) -> Metrics:
    """Metrics from a daily total value and the day's deposits and withdrawals (>= 0), all
    indexed by the same trading days (see `metrics` for the defaults of start and end)."""
    p = _period(total, deposits, withdrawals, start, end)
    wealth: Floats = np.asarray(np.cumprod(1.0 + p.returns), dtype=np.float64)
    with np.errstate(divide="ignore"):  # a -100% day: log -inf, the volatility is NaN
        logs = np.log1p(p.returns)
    return measure(p, wealth, logs, benchmark=benchmark, risk_free=risk_free)


def measure(
    p: Period,
    wealth: Floats,
    logs: Floats,
    *,
    benchmark: pd.Series[float] | None = None,
    risk_free: float = 0.0,
) -> Metrics:
    """The metrics of a period given its wealth index (the running product of 1 + r_t) and
    log returns log(1 + r_t): the whole and the incremental paths share this last step."""
    days = (p.end - p.start).days
    start_day = (p.start - _EPOCH).days
    end_value = float(p.values[-1]) if len(p.values) else p.start_value
    ttwror = float(wealth[-1]) - 1.0 if len(wealth) else 0.0
    falls = drawdown_of(np.concatenate([[1.0], wealth]), np.concatenate([[start_day], p.days]))
    flow_days = np.concatenate([[0], p.days - start_day, [days]])
    flow_amounts = np.concatenate([[-p.start_value], p.withdrawals - p.deposits, [end_value]])
    rate = (
        irr(flow_days, flow_amounts)
        if days > 0
        else IrrResult(math.nan, "the period has no length (start = end)")
    )
    with np.errstate(invalid="ignore"):
        deviation = (
            float(np.std(logs, ddof=1)) if len(logs) > 1 and logs.min() > -np.inf else math.nan
        )
    period_volatility = deviation * math.sqrt(len(logs))
    paid_in, paid_out = float(p.deposits.sum()), float(p.withdrawals.sum())
    return Metrics(
        start=p.start,
        end=p.end,
        start_value=p.start_value,
        end_value=end_value,
        deposits=paid_in,
        withdrawals=paid_out,
        net_flows=paid_in - paid_out,
        delta=end_value - p.start_value - (paid_in - paid_out),
        ttwror=ttwror,
        ttwror_annualized=_annualized(ttwror, days),
        irr=rate.rate,
        irr_note=rate.note,
        max_drawdown=falls.max_drawdown,
        max_drawdown_peak=falls.peak,
        max_drawdown_trough=falls.trough,
        max_drawdown_recovery=falls.recovery,
        longest_drawdown_days=falls.longest_days,
        volatility_period=period_volatility,
        volatility_annualized=deviation * math.sqrt(TRADING_DAYS_PER_YEAR),
        sharpe_pp=_ratio(rate.rate - risk_free, period_volatility),
        risk_free=risk_free,
        days=days,
        trading_days=len(p.returns),
        benchmark=None if benchmark is None else _compare(p, ttwror, days, benchmark),
    )


_EPOCH = pd.Timestamp(0)


def monthly_returns(returns: pd.Series[float]) -> pd.DataFrame:
    """Daily returns compounded within each calendar month: a year x month (1..12) table, NaN
    for months without a return."""
    index = pd.DatetimeIndex(returns.index)
    if len(index) == 0:
        return pd.DataFrame(
            columns=pd.Index(range(1, 13), name="month"),
            index=pd.Index([], dtype=np.int64, name="year"),
            dtype=np.float64,
        )
    growth = (1.0 + returns).groupby([index.year, index.month]).prod() - 1.0
    table = growth.unstack().reindex(columns=range(1, 13))
    table.index.name, table.columns.name = "year", "month"
    return table


def _annualized(cumulative: float, days: int) -> float:
    if days <= 0 or not cumulative >= -1.0:  # below -100 % (a negative value) has no yearly rate
        return math.nan
    try:
        return float((1.0 + cumulative) ** (DAYS_PER_YEAR / days) - 1.0)
    except OverflowError:  # a short period's gain compounds beyond any float
        return math.inf


def _ratio(numerator: float, denominator: float) -> float:
    if not math.isfinite(denominator) or denominator == 0:
        return math.nan
    return numerator / denominator


def _compare(
    p: Period, ttwror: float, days: int, benchmark: pd.Series[float]
) -> BenchmarkComparison:
    closes = benchmark.dropna().sort_index()
    known = pd.DatetimeIndex(closes.index).to_numpy("datetime64[D]").astype(np.int64)
    values = closes.to_numpy(dtype=np.float64)
    wanted = np.concatenate([[(p.start - _EPOCH).days], p.days, [(p.end - _EPOCH).days]])
    if len(values) == 0:
        levels = np.full(len(wanted), np.nan)
    else:
        at = np.searchsorted(known, wanted, side="right") - 1
        levels = np.where(at >= 0, values[np.maximum(at, 0)], np.nan)
    total = float(levels[-1] / levels[0] - 1.0)
    daily = levels[1:-1] / levels[:-2] - 1.0
    beta = correlation = math.nan
    usable = np.isfinite(daily) & np.isfinite(p.returns)
    if usable.sum() > 1:
        ours, theirs = p.returns[usable], daily[usable]
        variance = float(np.var(theirs, ddof=1))
        covariance = float(np.cov(ours, theirs, ddof=1)[0, 1])
        beta = _ratio(covariance, variance)
        spread = float(np.std(ours, ddof=1)) * math.sqrt(variance)
        correlation = _ratio(covariance, spread)
    return BenchmarkComparison(
        ttwror=total,
        ttwror_annualized=_annualized(total, days),
        excess_return=ttwror - total,
        beta=beta,
        correlation=correlation,
    )
