"""Daily series on the market calendar: cash, external flows, fees and the value of holdings.

The calendar is the price frame's index (its trading days). A series runs from the trading day
of the first event to `end` (default: the calendar's last day); an event dated on a day the
market was closed counts on the next trading day, and events after the calendar's last day are
not in any series. Values are end-of-day: the holding after the day's events times the day's
close.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from erasmo.projections.daily import forward_fill, last_per_cell
from erasmo.projections.frame import (
    CENTS_PER_UNIT_OF_MONEY,
    UNITS_PER_SHARE,
    Floats,
    Ints,
    ProjectionError,
)
from erasmo.projections.state import ProjectionState, state_of


@dataclass(frozen=True, eq=False, slots=True)
class ValueSeries:
    """What the portfolio was worth at each trading day's close.

    Attributes:
        quantity: shares held (date x ticker).
        price: the price each ticker was valued at: its close, or the latest earlier close when
            that day's is missing (forward-filled), or the latest trade price when the price
            frame has no close yet for it.
        value: quantity * price; 0 where nothing is held.
        stale: True where a held ticker was valued at anything but that day's own close.
        cash: the cash balance.
        deposits, withdrawals: external flows that day (both >= 0).
        positions: the sum of `value` over tickers.
        total: positions + cash.
    """

    quantity: pd.DataFrame
    price: pd.DataFrame
    value: pd.DataFrame
    stale: pd.DataFrame
    cash: pd.Series[float]
    deposits: pd.Series[float]
    withdrawals: pd.Series[float]
    positions: pd.Series[float]
    total: pd.Series[float]

    def forward_filled(self) -> pd.MultiIndex:
        """The (date, ticker) pairs valued at a stale price, by date then ticker."""
        rows, columns = np.nonzero(self.stale.to_numpy(dtype=bool))
        return pd.MultiIndex.from_arrays(
            [self.stale.index[rows], self.stale.columns[columns]], names=["date", "ticker"]
        )


def cash_series(
    source: pd.DataFrame | ProjectionState,
    prices: pd.DataFrame,
    end: date | str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Cash and external flows per trading day.

    Columns: cash (end-of-day balance), deposits and withdrawals (that day, both >= 0),
    net_flow (deposits - withdrawals), fees (paid that day) and fees_paid (to date).
    """
    return _Window(state_of(source), prices, end).cash_frame()


def value_series(
    source: pd.DataFrame | ProjectionState,
    prices: pd.DataFrame,
    end: date | str | pd.Timestamp | None = None,
) -> ValueSeries:
    """Holdings valued at each trading day's close, per ticker and in total (see ValueSeries)."""
    return _Window(state_of(source), prices, end).value_series()


class _Window:
    """A state laid on the calendar rows [first, last] of a price frame."""

    def __init__(
        self,
        state: ProjectionState,
        prices: pd.DataFrame,
        end: date | str | pd.Timestamp | None,
    ) -> None:
        calendar = prices.index
        if not isinstance(calendar, pd.DatetimeIndex) or not calendar.is_monotonic_increasing:
            raise ProjectionError(
                "The price frame must be indexed by trading days in increasing order (a sorted "
                "DatetimeIndex); sort it with prices.sort_index()."
            )
        self.state = state
        self.prices = prices
        days = calendar.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
        book = state.daily
        self.rows = np.searchsorted(days, book.days, side="left").astype(np.int64)
        self.first = int(self.rows[0]) if len(self.rows) else len(days)
        if end is None:
            self.last = len(days) - 1
        else:
            self.last = int(np.searchsorted(days, _day(end), side="right")) - 1
        self.dates = calendar[self.first : self.last + 1]
        self.size = len(self.dates)
        self.inside = self.rows <= self.last

    def _per_row(self, values: Ints) -> Ints:
        """Per-day `values` of the daily book summed onto the window's rows."""
        totals = np.zeros((self.size, *values.shape[1:]), dtype=np.int64)
        np.add.at(totals, self.rows[self.inside] - self.first, values[self.inside])
        return totals

    def cash(self) -> Floats:
        return np.cumsum(self._per_row(self.state.daily.cash)) / CENTS_PER_UNIT_OF_MONEY

    def flows(self) -> tuple[Floats, Floats]:
        """Deposits and withdrawals per day (both >= 0)."""
        book = self.state.daily
        return (
            self._per_row(book.deposits) / CENTS_PER_UNIT_OF_MONEY,
            self._per_row(book.withdrawals) / CENTS_PER_UNIT_OF_MONEY,
        )

    def cash_frame(self) -> pd.DataFrame:
        deposits, withdrawals = self.flows()
        fees = self._per_row(self.state.daily.fees)
        return pd.DataFrame(
            {
                "cash": self.cash(),
                "deposits": deposits,
                "withdrawals": withdrawals,
                "net_flow": deposits - withdrawals,
                "fees": fees / CENTS_PER_UNIT_OF_MONEY,
                "fees_paid": np.cumsum(fees) / CENTS_PER_UNIT_OF_MONEY,
            },
            index=self.dates,
        )

    def value_series(self) -> ValueSeries:
        tickers = self.state.tickers
        units = np.cumsum(self._per_row(self.state.daily.units), axis=0)
        closes = self.prices.reindex(columns=tickers).to_numpy(dtype=np.float64)
        closes = closes[: self.last + 1]
        price = forward_fill(closes)[self.first :]
        traded = forward_fill(self._trade_prices())
        price = np.where(np.isnan(price), traded, price)
        held = units != 0
        value = np.where(held, (units / UNITS_PER_SHARE) * price, 0.0)
        positions = value.sum(axis=1)
        cash = self.cash()
        deposits, withdrawals = self.flows()

        def frame(data: Floats | Ints) -> pd.DataFrame:
            return pd.DataFrame(data, index=self.dates, columns=pd.Index(tickers, name="ticker"))

        return ValueSeries(
            quantity=frame(units / UNITS_PER_SHARE),
            price=frame(price),
            value=frame(value),
            stale=frame(held & np.isnan(closes[self.first :])).astype(bool),
            cash=pd.Series(cash, index=self.dates, name="cash"),
            deposits=pd.Series(deposits, index=self.dates, name="deposits"),
            withdrawals=pd.Series(withdrawals, index=self.dates, name="withdrawals"),
            positions=pd.Series(positions, index=self.dates, name="positions"),
            total=pd.Series(positions + cash, index=self.dates, name="total"),
        )

    def _trade_prices(self) -> Floats:
        """The price of each row's last trade per ticker (NaN where none)."""
        book = self.state.daily
        width = book.price.shape[1]
        rows = np.repeat(self.rows[self.inside] - self.first, width)
        columns = np.tile(np.arange(width), int(self.inside.sum()))
        prices = book.price[self.inside].ravel()
        known = ~np.isnan(prices)
        # Several event dates can share a trading day (a weekend's events land on Monday):
        # the latest date's trade wins.
        cells = rows[known] * width + columns[known]
        return last_per_cell(cells, prices[known], self.size, width)


def _day(value: date | str | pd.Timestamp) -> int:
    return (pd.Timestamp(value).normalize() - pd.Timestamp(0)).days
