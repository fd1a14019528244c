"""The value series and the metrics of a live state, updated from the first changed day on.

A new event changes a portfolio's daily series only from its market date on (a trade at the
latest day: the last day only). `LiveProjection` keeps the series' arrays and, each time it is
asked, compares the state's daily book with the one it last laid on the calendar: the rows
before the first difference are kept and only the suffix is recomputed, carrying the running
quantities (holdings, cash, forward-filled prices, wealth index) from the day before it. Every
step is the whole computation's own arithmetic on the same numbers (integer running sums, the
same elementwise operations, running products in the same order), so the series and the
metrics are those of `value_series` and `performance` on the whole history, only cheaper.
A new ticker, an event dated before the first one or another price frame recompute it all.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from erasmo.projections.daily import DailyBook, forward_fill, last_per_cell
from erasmo.projections.frame import (
    CENTS_PER_UNIT_OF_MONEY,
    UNITS_PER_SHARE,
    Bools,
    Floats,
    Ints,
    ProjectionError,
)
from erasmo.projections.metrics import Metrics, Period, measure, period_returns
from erasmo.projections.series import ValueSeries
from erasmo.projections.state import ProjectionState


@dataclass(slots=True)
class _Arrays:
    """The series of the window's days (rows) and tickers (columns)."""

    units: Ints
    traded: Floats  # latest trade price, forward-filled (NaN before the first trade)
    price: Floats
    value: Floats
    stale: Bools
    cash: Ints  # cents
    deposits: Floats
    withdrawals: Floats
    positions: Floats
    total: Floats

    @classmethod
    def empty(cls, days: int, tickers: int) -> _Arrays:
        def matrix(dtype: type) -> np.ndarray[Any, Any]:
            return np.zeros((days, tickers), dtype=dtype)

        def line(dtype: type) -> np.ndarray[Any, Any]:
            return np.zeros(days, dtype=dtype)

        return cls(
            units=matrix(np.int64),
            traded=matrix(np.float64),
            price=matrix(np.float64),
            value=matrix(np.float64),
            stale=matrix(np.bool_),
            cash=line(np.int64),
            deposits=line(np.float64),
            withdrawals=line(np.float64),
            positions=line(np.float64),
            total=line(np.float64),
        )

    def kept(self, days: int, tickers: int, keep: int) -> _Arrays:
        """Arrays for `days` rows holding this one's first `keep` rows: these very arrays when
        the shape is the same, except that those still referenced elsewhere (a value series
        handed out and kept, or a view of one) are copied first: what was handed out never
        changes."""
        if self.units.shape == (days, tickers):
            shared = [n for n in _HANDED_OUT if sys.getrefcount(getattr(self, n)) > _UNSHARED]
            if not shared:
                return self
            copies = {name: getattr(self, name).copy() for name in shared}
            return _Arrays(**{**{n: getattr(self, n) for n in _Arrays.__slots__}, **copies})
        fresh = _Arrays.empty(days, tickers)
        for name in _Arrays.__dataclass_fields__ if keep else ():
            getattr(fresh, name)[:keep] = getattr(self, name)[:keep]
        return fresh


#: The arrays a ValueSeries shows as they are (the others it shows derived copies of).
_HANDED_OUT: Final = ("price", "value", "stale", "deposits", "withdrawals", "positions", "total")
#: The references to an array held by its _Arrays alone (while `sys.getrefcount` looks).
_PROBE = _Arrays.empty(1, 1)
_UNSHARED: Final = sys.getrefcount(_PROBE.price)
del _PROBE


class LiveProjection:
    """One portfolio's daily value series and whole-history metrics on a price frame, kept up
    to date with its (live) projection state by recomputing only the changed days."""

    def __init__(self, prices: pd.DataFrame) -> None:
        calendar = prices.index
        if not isinstance(calendar, pd.DatetimeIndex) or not calendar.is_monotonic_increasing:
            raise ProjectionError(
                "The price frame must be indexed by trading days in increasing order (a sorted "
                "DatetimeIndex); sort it with prices.sort_index()."
            )
        self.prices = prices
        self.calendar = calendar
        self.days = calendar.to_numpy("datetime64[D]").astype(np.int64)
        self._book: DailyBook | None = None
        self._tickers: list[str] = []
        self._columns = pd.Index([], name="ticker")
        self._closes = np.zeros((len(calendar), 0))
        self._filled = self._closes
        self._first = self._last = 0
        self._arrays = _Arrays.empty(0, 0)
        self._series: ValueSeries | None = None
        # the metrics' running arrays and the first row they must recompute from
        self._returns = np.zeros(0)
        self._wealth = np.zeros(0)
        self._logs = np.zeros(0)
        self._stale_from = 0

    # -- the value series -----------------------------------------------------------------

    def series(self, state: ProjectionState, end: pd.Timestamp | None = None) -> ValueSeries:
        """`value_series(state, prices, end)`, from the kept days plus the changed ones."""
        self._update(state, end)
        if self._series is None:
            self._series = self._value_series()
        return self._series

    def _update(self, state: ProjectionState, end: pd.Timestamp | None) -> bool:
        """Lay `state` on the window ending `end`; whether anything changed."""
        book = state.daily
        last = len(self.days) - 1
        if end is not None:
            last = int(np.searchsorted(self.days, _day(end), side="right")) - 1
        if book is self._book and last == self._last and self._tickers == state.tickers:
            return False
        rows = np.searchsorted(self.days, book.days, side="left").astype(np.int64)
        first = int(rows[0]) if len(rows) else len(self.days)
        changed = None if self._book is None else book.changed_since(self._book)
        whole = changed is None or first != self._first or self._tickers != state.tickers
        if whole:
            start = first
            self._tickers = list(state.tickers)
            self._columns = pd.Index(self._tickers, name="ticker")
            self._closes = self.prices.reindex(columns=self._tickers).to_numpy(dtype=np.float64)
            self._filled = forward_fill(self._closes)
        else:
            assert changed is not None
            start = min(int(np.searchsorted(self.days, changed, side="left")), last + 1)
            if last > self._last:
                start = min(start, self._last + 1)
        start = max(start, first)
        self._recompute(book, rows, first, last, start)
        self._book, self._first, self._last = book, first, last
        return True

    def _recompute(self, book: DailyBook, rows: Ints, first: int, last: int, start: int) -> None:
        """Rows [start, last] of the window [first, last], from the rows kept before them."""
        size, width = max(last - first + 1, 0), len(self._tickers)
        keep = max(min(start - first, size), 0)
        if self._book is None or self._first != first or self._arrays.units.shape[1] != width:
            keep = 0
        keep = min(keep, len(self._arrays.cash))
        self._series = None  # a series handed out and dropped shares nothing (see `kept`)
        arrays = self._arrays.kept(size, width, keep)
        self._stale_from = min(self._stale_from, keep)
        if keep < size:
            self._fill(arrays, book, rows, first, keep)
        self._arrays = arrays
        self._stale_from = min(self._stale_from, keep, size)

    def _fill(self, a: _Arrays, book: DailyBook, rows: Ints, first: int, keep: int) -> None:
        """Compute rows keep.. of `a` (window offsets) from the book's rows on those days."""
        start, end = first + keep, first + len(a.cash) - 1
        lo = int(np.searchsorted(rows, start, side="left"))
        hi = int(np.searchsorted(rows, end, side="right"))
        at = rows[lo:hi] - start
        count, width = end - start + 1, len(self._tickers)

        def per_row(values: Ints) -> Ints:
            totals = np.zeros((count, *values.shape[1:]), dtype=np.int64)
            np.add.at(totals, at, values[lo:hi])
            return totals

        units = np.cumsum(per_row(book.units), axis=0)
        cash = np.cumsum(per_row(book.cash))
        traded = _trade_prices(book, lo, hi, at, count, width)
        if keep:
            units += a.units[keep - 1]
            cash += a.cash[keep - 1]
            traded = forward_fill(np.vstack([a.traded[keep - 1], traded]))[1:]
        else:
            traded = forward_fill(traded)
        closes = self._filled[start : end + 1]
        price = np.where(np.isnan(closes), traded, closes)
        held = units != 0
        value = np.where(held, (units / UNITS_PER_SHARE) * price, 0.0)
        a.units[keep:], a.cash[keep:], a.traded[keep:] = units, cash, traded
        a.price[keep:], a.value[keep:] = price, value
        a.stale[keep:] = held & np.isnan(self._closes[start : end + 1])
        a.deposits[keep:] = per_row(book.deposits) / CENTS_PER_UNIT_OF_MONEY
        a.withdrawals[keep:] = per_row(book.withdrawals) / CENTS_PER_UNIT_OF_MONEY
        a.positions[keep:] = a.value[keep:].sum(axis=1)
        a.total[keep:] = a.positions[keep:] + cash / CENTS_PER_UNIT_OF_MONEY

    def _dates(self) -> pd.DatetimeIndex:
        return self.calendar[self._first : self._first + len(self._arrays.cash)]

    def _value_series(self) -> ValueSeries:
        a, dates = self._arrays, self._dates()
        columns = self._columns

        def frame(data: np.ndarray[Any, Any]) -> pd.DataFrame:
            return pd.DataFrame(data, index=dates, columns=columns, copy=False)

        def line(data: Floats, name: str) -> pd.Series[float]:
            return pd.Series(data, index=dates, name=name, copy=False)

        return ValueSeries(
            quantity=frame(a.units / UNITS_PER_SHARE),
            price=frame(a.price),
            value=frame(a.value),
            stale=frame(a.stale),
            cash=line(a.cash / CENTS_PER_UNIT_OF_MONEY, "cash"),
            deposits=line(a.deposits, "deposits"),
            withdrawals=line(a.withdrawals, "withdrawals"),
            positions=line(a.positions, "positions"),
            total=line(a.total, "total"),
        )

    # -- the metrics ----------------------------------------------------------------------

    def metrics(
        self,
        state: ProjectionState,
        end: pd.Timestamp | None = None,
        *,
        benchmark: pd.Series[float] | None = None,
        risk_free: float = 0.0,
    ) -> Metrics:
        """`performance` of the whole series (start and end left to their defaults), with the
        daily returns, the wealth index and the log returns recomputed from the changed day."""
        self._update(state, end)
        a, dates = self._arrays, self._dates()
        size = len(a.cash)
        keep = min(self._stale_from, size, len(self._returns))
        if len(self._returns) == size:  # the same days: rewrite the suffix in place
            returns, wealth, logs = self._returns, self._wealth, self._logs
        else:
            returns, wealth, logs = (np.empty(size) for _ in range(3))
            returns[:keep], wealth[:keep], logs[:keep] = (
                self._returns[:keep],
                self._wealth[:keep],
                self._logs[:keep],
            )
        before = float(a.total[keep - 1]) if keep else 0.0
        returns[keep:] = period_returns(
            before, a.total[keep:], a.deposits[keep:], a.withdrawals[keep:]
        )
        carried = [wealth[keep - 1]] if keep else []
        wealth[keep:] = np.cumprod(np.concatenate([carried, 1.0 + returns[keep:]]))[len(carried) :]
        with np.errstate(divide="ignore"):  # a -100% day (leverage): -inf
            logs[keep:] = np.log1p(returns[keep:])
        self._returns, self._wealth, self._logs, self._stale_from = returns, wealth, logs, size
        begin = (dates[0] if size else pd.Timestamp("1970-01-02")) - pd.Timedelta(days=1)
        finish = pd.Timestamp(end).normalize() if end is not None else dates[-1] if size else begin
        period = Period(
            start=begin,
            end=finish,
            start_value=0.0,
            dates=dates,
            days=self.days[self._first : self._first + size],
            values=a.total,
            deposits=a.deposits,
            withdrawals=a.withdrawals,
            returns=returns,
        )
        return measure(period, wealth, logs, benchmark=benchmark, risk_free=risk_free)


def _trade_prices(book: DailyBook, lo: int, hi: int, at: Ints, count: int, width: int) -> Floats:
    """The price of each row's last trade per ticker, for the book's rows lo..hi (NaN where
    none): several event dates can share a trading day, and the latest date's trade wins."""
    rows = np.repeat(at, width)
    columns = np.tile(np.arange(width), hi - lo)
    prices = book.price[lo:hi].ravel()
    known = ~np.isnan(prices)
    return last_per_cell(rows[known] * width + columns[known], prices[known], count, width)


def _day(value: pd.Timestamp) -> int:
    return (pd.Timestamp(value).normalize() - pd.Timestamp(0)).days
