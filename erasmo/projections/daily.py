"""Per-date changes of an event log, kept so daily series can be laid on any market calendar."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from erasmo.projections.frame import UNITS_PER_SHARE, Floats, Ints


def _no_days() -> Ints:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class DailyBook:
    """What each market day's events changed, one row per distinct event date.

    Attributes:
        days: the event dates, as days since 1970-01-01, increasing.
        units: (day, ticker) change of the holding, in millionths of a share.
        price: (day, ticker) price of the day's last trade of the ticker (on a split's day: the
            last trade's price divided by the ratio), NaN if none.
        cash, deposits, withdrawals, fees: per day, in cents (cash signed, the others >= 0).
        traded: (day, ticker) change of the holding by trades alone (splits left out), in
            millionths of a share.
        flow: (day, ticker) money the trades put into the ticker: shares bought × price minus
            shares sold × price (fees left out).
    """

    days: Ints = field(default_factory=_no_days)
    units: Ints = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    price: Floats = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float64))
    cash: Ints = field(default_factory=_no_days)
    deposits: Ints = field(default_factory=_no_days)
    withdrawals: Ints = field(default_factory=_no_days)
    fees: Ints = field(default_factory=_no_days)
    traded: Ints = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    flow: Floats = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float64))

    def merged(self, newer: DailyBook, tickers: int) -> DailyBook:
        """This book plus `newer` (whose trades are all later in the log), over `tickers`."""
        at = np.searchsorted(self.days, newer.days)
        known = at < len(self.days)
        known[known] = self.days[at[known]] == newer.days[known]
        width_old, width_new = self.units.shape[1], newer.units.shape[1]
        if bool(known.all()) and width_old == tickers:
            # the usual case (a new event on a day the book has, no new ticker): copy, no sort
            days, old_rows, new_rows = self.days, np.arange(len(self.days)), at
            units = self.units.copy()
            price = self.price.copy()
            traded = self.traded.copy()
            flow = self.flow.copy()
        else:
            days = np.union1d(self.days, newer.days).astype(np.int64)
            old_rows = np.searchsorted(days, self.days)
            new_rows = np.searchsorted(days, newer.days)
            units = np.zeros((len(days), tickers), dtype=np.int64)
            units[old_rows, :width_old] += self.units
            price = np.full((len(days), tickers), np.nan)
            price[old_rows, :width_old] = self.price
            traded = np.zeros((len(days), tickers), dtype=np.int64)
            traded[old_rows, :width_old] += self.traded
            flow = np.zeros((len(days), tickers), dtype=np.float64)
            flow[old_rows, :width_old] += self.flow
        units[new_rows, :width_new] += newer.units
        traded[new_rows, :width_new] += newer.traded
        flow[new_rows, :width_new] += newer.flow
        later = price[new_rows, :width_new]
        price[new_rows, :width_new] = np.where(np.isnan(newer.price), later, newer.price)

        def add(old: Ints, new: Ints) -> Ints:
            total = np.zeros(len(days), dtype=np.int64)
            total[old_rows] += old
            total[new_rows] += new
            return total

        return DailyBook(
            days=days,
            units=units,
            price=price,
            cash=add(self.cash, newer.cash),
            deposits=add(self.deposits, newer.deposits),
            withdrawals=add(self.withdrawals, newer.withdrawals),
            fees=add(self.fees, newer.fees),
            traded=traded,
            flow=flow,
        )


def daily_book(
    days: Ints,
    rows: Ints,
    codes: Ints,
    tickers: int,
    *,
    units: Ints,
    price: Floats,
    cash: Ints,
    deposits: Ints,
    withdrawals: Ints,
    fees: Ints,
) -> DailyBook:
    """The DailyBook of a batch: `days`, cash, deposits, withdrawals and fees per event;
    `units` (signed) and `price` per trade, the trades being events `rows` of tickers `codes`."""
    unique, inverse = _day_groups(days)

    def by_day(values: Ints) -> Ints:
        totals = np.zeros(len(unique), dtype=np.int64)
        np.add.at(totals, inverse, values)
        return totals

    cells = inverse[rows] * tickers + codes
    traded = _cell_sums(cells, units, len(unique), tickers)
    flow = np.zeros(len(unique) * tickers, dtype=np.float64)
    np.add.at(flow, cells, units / UNITS_PER_SHARE * price)
    return DailyBook(
        days=unique,
        units=traded,
        traded=traded,
        flow=flow.reshape(len(unique), tickers),
        price=last_per_cell(cells, price, len(unique), tickers),
        cash=by_day(cash),
        deposits=by_day(deposits),
        withdrawals=by_day(withdrawals),
        fees=by_day(fees),
    )


def _day_groups(days: Ints) -> tuple[Ints, Ints]:
    if len(days) > 1 and bool((days[1:] >= days[:-1]).all()):
        # One portfolio's log is in date order: grouping needs no sort.
        step = np.concatenate([[0], (days[1:] != days[:-1]).astype(np.int64)])
        inverse = np.cumsum(step)
        return days[np.concatenate([[True], step[1:] > 0])], inverse
    unique, inverse = np.unique(days, return_inverse=True)
    return unique.astype(np.int64), inverse.astype(np.int64)


def _cell_sums(cells: Ints, values: Ints, days: int, tickers: int) -> Ints:
    """Sum of `values` per (day, ticker) cell, as a days x tickers matrix."""
    totals = np.zeros(days * tickers, dtype=np.int64)
    np.add.at(totals, cells, values)
    return totals.reshape(days, tickers)


def last_per_cell(cells: Ints, values: Floats, days: int, tickers: int) -> Floats:
    """The last of `values` per (day, ticker) cell (NaN where none), as a matrix."""
    last = np.full(days * tickers, -1, dtype=np.int64)
    np.maximum.at(last, cells, np.arange(len(cells), dtype=np.int64))
    picked = np.full(len(last), np.nan)
    picked[last >= 0] = values[last[last >= 0]]
    return picked.reshape(days, tickers)


def forward_fill(values: Floats) -> Floats:
    """Each column's NaNs replaced by the latest earlier non-NaN (NaN before the first)."""
    if values.size == 0:
        return values
    rows = np.arange(len(values))[:, None]
    latest = np.maximum.accumulate(np.where(np.isnan(values), 0, rows), axis=0)
    return np.take_along_axis(values, latest, axis=0)
