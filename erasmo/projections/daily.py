"""Per-date changes of an event log, kept so daily series can be laid on any market calendar."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Final

import numpy as np

from erasmo.projections.frame import UNITS_PER_SHARE, Floats, Ints


class Journal:
    """The changes of a lineage of books (each merged from the one before): the first day
    each merge changed, and what the in-place writes of an unsettled batch overwrote."""

    __slots__ = ("days", "shared", "undo")

    def __init__(self) -> None:
        self.days: list[int] = []
        self.undo: list[list[tuple[np.ndarray[Any, Any], Ints, np.ndarray[Any, Any]]]] = []
        self.shared = False  # a state's copy shares the arrays: no more writes in place


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
    spare: dict[str, np.ndarray[Any, Any]] | None = field(default=None, repr=False)
    journal: Journal = field(default_factory=Journal, repr=False, compare=False)
    revision: int = 0

    def merged(self, newer: DailyBook, tickers: int) -> DailyBook:
        """This book plus `newer` (whose trades are all later in the log), over `tickers`.

        The newest book of a lineage writes a batch on days it has, or on days after its last,
        into its own arrays (keeping what it overwrote, for `revert`); any other book copies.
        Either way the lineage's journal notes the first day the batch changed.
        """
        if len(newer.days) == 0:
            return self
        journal, width = self.journal, newer.units.shape[1]
        tip = self.revision == len(journal.days)
        if tip and not journal.shared and self.units.shape[1] == tickers >= width:
            written = self._written_in_place(newer, width)
            if written is not None:
                journal.days.append(int(newer.days[0]))
                return written
        if not tip or journal.shared:
            journal = Journal()
        merged = self._copied(newer, tickers, journal)
        journal.days.append(int(newer.days[0]))
        return merged

    def _written_in_place(self, newer: DailyBook, width: int) -> DailyBook | None:
        """This book's arrays with `newer` added in place, as the next revision; None when a
        day of `newer` falls between this book's days or the spare rows are used up."""
        count = len(self.days)
        at = np.searchsorted(self.days, newer.days)
        known = at < count
        known[known] = self.days[at[known]] == newer.days[known]
        if bool(known.all()):
            rows, book = at, self
        elif self.spare is not None and count and newer.days[0] > self.days[-1]:
            size = count + len(newer.days)
            if size > len(self.spare["days"]):
                return None
            parts: dict[str, Any] = {n: self.spare[n][:size] for n in _ARRAYS}
            parts["days"][count:] = newer.days
            for name in _ARRAYS[1:]:
                parts[name][count:] = np.nan if name == "price" else 0
            rows, book = np.arange(count, size), DailyBook(**parts, spare=self.spare)
        else:
            return None
        journal = self.journal
        journal.undo.append([(getattr(book, n), rows, getattr(book, n)[rows]) for n in _ARRAYS])
        _add_rows(book, newer, rows, width)
        return replace(book, journal=journal, revision=self.revision + 1)

    def _copied(self, newer: DailyBook, tickers: int, journal: Journal) -> DailyBook:
        """A new book of this one plus `newer`, with spare rows for later days."""
        days = np.union1d(self.days, newer.days).astype(np.int64)
        size = len(days) + max(64, len(days) // 4)
        spare = {n: _blank(n, size, tickers) for n in _ARRAYS}
        parts: dict[str, Any] = {n: spare[n][: len(days)] for n in _ARRAYS}
        parts["days"][:] = days
        old_rows = np.searchsorted(days, self.days)
        width_old = self.units.shape[1]
        for name in _ARRAYS[1:]:
            target = getattr(self, name)
            if target.ndim == 2:
                parts[name][old_rows, :width_old] = target
            else:
                parts[name][old_rows] = target
        book = DailyBook(**parts, spare=spare, journal=journal, revision=len(journal.days) + 1)
        _add_rows(book, newer, np.searchsorted(days, newer.days), newer.units.shape[1])
        return book

    def forked(self) -> DailyBook:
        """The same days for a copy of the state: from now on neither book writes in place."""
        self.journal.shared = True
        return replace(self, journal=Journal(), revision=-1)

    def revert(self) -> None:
        """Undo the in-place writes made since this book (a batch failed to fold in)."""
        journal = self.journal
        while journal.undo:  # the batch's writes only: each batch folded in settles its own
            for array, rows, values in reversed(journal.undo.pop()):
                array[rows] = values
        del journal.days[max(self.revision, 0) :]

    def settle(self) -> None:
        """Forget what `revert` would need (the batch is folded in for good)."""
        self.journal.undo.clear()

    def changed_since(self, older: DailyBook) -> int | None:
        """The first day (since 1970) changed between `older` and this book, of one lineage;
        None when they are not of one lineage (or this book is not the newer)."""
        journal = self.journal
        if older.journal is not journal or not 0 <= older.revision <= self.revision:
            return None
        since = journal.days[older.revision : self.revision]
        return min(since) if since else _NO_CHANGE


#: The day `changed_since` gives when nothing changed (later than any calendar day).
_NO_CHANGE: Final = 2**62
#: The arrays of a book, the days first.
_ARRAYS: Final = (
    "days",
    "units",
    "price",
    "cash",
    "deposits",
    "withdrawals",
    "fees",
    "traded",
    "flow",
)


def _blank(name: str, size: int, tickers: int) -> np.ndarray[Any, Any]:
    if name in ("units", "traded"):
        return np.zeros((size, tickers), dtype=np.int64)
    if name in ("price", "flow"):
        return np.full((size, tickers), np.nan if name == "price" else 0.0)
    return np.zeros(size, dtype=np.int64)


def _add_rows(book: DailyBook, newer: DailyBook, rows: Ints, width: int) -> None:
    """Add `newer`'s days onto `book`'s `rows` (its trades being the later ones), in place."""
    book.units[rows, :width] += newer.units
    book.traded[rows, :width] += newer.traded
    book.flow[rows, :width] += newer.flow
    later = book.price[rows, :width]
    book.price[rows, :width] = np.where(np.isnan(newer.price), later, newer.price)
    for name in ("cash", "deposits", "withdrawals", "fees"):
        getattr(book, name)[rows] += getattr(newer, name)


def one_day(days: Ints, units: Ints, price: Floats) -> DailyBook:
    """The book of one day on which only holdings changed (a split): no cash, no trade."""
    none = np.zeros(1, dtype=np.int64)
    return DailyBook(days, units, price, none, none, none, none, 0 * units, np.zeros(price.shape))


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
