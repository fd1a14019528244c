"""Cost-basis bookkeeping of one ticker: FIFO lots and the average-cost book.

Both kernels take one ticker's trades in log order as integer arrays (quantities in millionths
of a share, money in cents) and a book carried over from earlier trades, and return the new
book with the cost of the shares each sell removed. They are written so that feeding the trades
in two batches gives bit-for-bit the result of feeding them at once: that is what makes
`ProjectionState.apply` equal a full rebuild exactly.

Cost basis includes fees: a buy adds `value + fee` to the basis, and a sell's proceeds are
`value - fee`, so realized P&L = proceeds - cost removed.

A split scales a book (`split_fifo`, `split_average`): holdings times the ratio, rounded down to
a millionth of a share as the write side does, with the cost unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

import numpy as np

from erasmo.projections.frame import CENTS_PER_UNIT_OF_MONEY, UNITS_PER_SHARE, Bools, Floats, Ints


def _ints() -> Ints:
    return np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class FifoBook:
    """The open FIFO lots of one ticker.

    Quantities live on a number line: the n-th share ever bought occupies [n-1, n) of the
    "bought" axis, and the n-th share ever sold is the n-th share bought (first in, first out).
    A lot is the interval [start, end) of one buy; it is open while end > sold.

    Attributes:
        start, end: each lot's interval on the bought axis, in millionths of a share.
        cost: each lot's whole cost (value + fee of its buy), in cents.
        seq, on, price: the buy's log position, market day (days since 1970-01-01) and price.
        bought, sold: millionths of a share bought and sold so far.
    """

    start: Ints = field(default_factory=_ints)
    end: Ints = field(default_factory=_ints)
    cost: Ints = field(default_factory=_ints)
    seq: Ints = field(default_factory=_ints)
    on: Ints = field(default_factory=_ints)
    price: Floats = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    bought: int = 0
    sold: int = 0

    def remaining(self) -> Ints:
        """Millionths of a share still open in each lot."""
        return self.end - np.maximum(self.start, self.sold)

    def remaining_cost(self) -> Floats:
        """The cost of what is still open in each lot, in money (not cents)."""
        return lot_cost(self.cost, self.end - self.start, self.remaining())


def lot_cost(cost_cents: Ints, lot_units: Ints, taken_units: Ints) -> Floats:
    """The cost of `taken_units` of lots of `lot_units` costing `cost_cents` in all."""
    return (cost_cents / CENTS_PER_UNIT_OF_MONEY) * (taken_units / lot_units)


def fifo_match(
    book: FifoBook, is_buy: Bools, units: Ints, cents: Ints, seq: Ints, on: Ints, price: Floats
) -> tuple[FifoBook, Floats]:
    """Match one ticker's trades against `book` first in, first out.

    `cents` is value + fee for buys (ignored for sells). Returns the new book and, for each sell
    in order, the cost of the lots it closed. The caller has checked no sell exceeds the holding.
    """
    buys = np.flatnonzero(is_buy)
    sells = np.flatnonzero(~is_buy)
    bought_end = book.bought + np.cumsum(units[buys])
    lots_start = np.concatenate([book.start, bought_end - units[buys]])
    lots_end = np.concatenate([book.end, bought_end])
    lots_cost = np.concatenate([book.cost, cents[buys]])
    lots_seq = np.concatenate([book.seq, seq[buys]])
    lots_on = np.concatenate([book.on, on[buys]])
    lots_price = np.concatenate([book.price, price[buys]])
    bought = int(bought_end[-1]) if len(buys) else book.bought
    if len(sells) == 0:
        costs = np.array([], dtype=np.float64)
        sold = book.sold
    else:
        sold_end = book.sold + np.cumsum(units[sells])
        sold = int(sold_end[-1])
        # Cut the sold stretch [book.sold, sold) at every lot end and every sell end: each
        # piece then lies in exactly one lot and one sell. Both lists are sorted, so a stable
        # sort merges them in linear time, and counting the ends passed gives the indices.
        inner = lots_end[(lots_end > book.sold) & (lots_end < sold)]
        ends = np.concatenate([inner, sold_end])
        merged = np.argsort(ends, kind="stable")
        ends, is_sell = ends[merged], merged >= len(inner)
        last_of_value = np.concatenate([ends[1:] != ends[:-1], [True]])
        cuts = ends[last_of_value]
        sells_passed = np.cumsum(is_sell)[last_of_value]
        lots_passed = np.cumsum(~is_sell)[last_of_value]
        piece_start = np.concatenate([[book.sold], cuts[:-1]])
        sell = np.concatenate([[0], sells_passed[:-1]])
        lot = np.concatenate([[0], lots_passed[:-1]]) + np.searchsorted(
            lots_end, book.sold, side="right"
        )
        piece_cost = lot_cost(lots_cost[lot], (lots_end - lots_start)[lot], cuts - piece_start)
        # bincount adds in input order, so a sell's cost does not depend on batching.
        costs = np.bincount(sell, weights=piece_cost, minlength=len(sells)).astype(np.float64)
    still_open = lots_end > sold
    return (
        FifoBook(
            start=lots_start[still_open],
            end=lots_end[still_open],
            cost=lots_cost[still_open],
            seq=lots_seq[still_open],
            on=lots_on[still_open],
            price=lots_price[still_open],
            bought=bought,
            sold=sold,
        ),
        costs,
    )


@dataclass(frozen=True, slots=True)
class AverageBook:
    """The average-cost book of one ticker, as the write side's `Portfolio` keeps it.

    A buy adds its cost to the basis; a sell removes `average * quantity`, leaving the average
    unchanged, so the average only moves at a sell that follows a buy. The basis is
    average * (shares left by the latest sell) + the cents bought since, which keeps batching
    exact.

    Attributes:
        held: millionths of a share held.
        after_sell: millionths of a share held right after the latest sell (0 before any).
        added: cents of cost bought since the latest sell.
        average: cost per share fixed at the latest sell.
    """

    held: int = 0
    after_sell: int = 0
    added: int = 0
    average: float = 0.0

    @property
    def cost_basis(self) -> float:
        """The cost of the shares held, in money."""
        return (
            self.average * (self.after_sell / UNITS_PER_SHARE)
            + self.added / CENTS_PER_UNIT_OF_MONEY
        )


def average_match(
    book: AverageBook, is_buy: Bools, units: Ints, cents: Ints, held_after: Ints
) -> tuple[AverageBook, Floats]:
    """Book one ticker's trades at average cost; returns the new book and each sell's cost.

    `cents` is value + fee for buys (ignored for sells); `held_after` is the holding after each
    trade, in millionths of a share.
    """
    sells = np.flatnonzero(~is_buy)
    if len(sells) == 0:
        return (
            replace(book, held=int(held_after[-1]), added=book.added + int(cents.sum())),
            np.array([], dtype=np.float64),
        )
    buy_cents = np.cumsum(np.where(is_buy, cents, 0))
    left = held_after[sells]
    held_before = left + units[sells]
    left_before = np.concatenate([[book.after_sell], left[:-1]])
    before, previous = held_before / UNITS_PER_SHARE, left_before / UNITS_PER_SHARE
    added = np.diff(buy_cents[sells], prepend=0)
    added[0] += book.added
    # A sell whose holding grew since the previous sell fixes a new average:
    # average = (average * shares left by the previous sell + cost bought since) / holding.
    new_average = held_before > left_before
    starts = np.flatnonzero(new_average)
    # The one sequential step (a first-order recurrence), on plain floats.
    average = book.average
    averages = [
        average := (average * shares_left + bought) / holding
        for shares_left, bought, holding in zip(
            previous[starts].tolist(),
            (added[starts] / CENTS_PER_UNIT_OF_MONEY).tolist(),
            before[starts].tolist(),
            strict=True,
        )
    ]
    # Each sell uses the average of the latest sell that fixed one (or the book's).
    fixed_by = np.maximum.accumulate(np.where(new_average, np.arange(len(sells)), -1))
    lookup = np.concatenate([[book.average], np.empty(len(sells))])
    lookup[starts + 1] = averages
    per_sell = lookup[fixed_by + 1]
    last = int(sells[-1])
    return (
        AverageBook(
            held=int(held_after[-1]),
            after_sell=int(left[-1]),
            added=int(buy_cents[-1] - buy_cents[last]),
            average=float(per_sell[-1]),
        ),
        per_sell * (units[sells] / UNITS_PER_SHARE),
    )


def split_fifo(book: FifoBook, ratio: Fraction) -> FifoBook:
    """The lots after a split of `ratio` (new shares per old share).

    The open stretch of the bought axis, counted from the first share not yet sold, is scaled by
    the ratio (Python ints: no overflow); each lot keeps its whole cost, so its cost per share
    and its price are divided by the ratio, and the last end is the holding after the split.
    """
    p, q = ratio.numerator, ratio.denominator
    ends = [(end - book.sold) * p // q for end in book.end.tolist()]
    starts = [(start - book.sold) * p // q for start in book.start.tolist()]
    return replace(
        book,
        start=np.array(starts, dtype=np.int64),
        end=np.array(ends, dtype=np.int64),
        price=book.price / float(ratio),
        bought=ends[-1] if ends else 0,
        sold=0,
    )


def split_average(book: AverageBook, ratio: Fraction) -> AverageBook:
    """The average-cost book after a split of `ratio`: the same cost over more (or fewer)
    shares."""
    p, q = ratio.numerator, ratio.denominator
    after_sell = book.after_sell * p // q
    # The cost of the shares left by the latest sell stays what it was.
    average = (
        book.average * (book.after_sell / after_sell) if after_sell else book.average / float(ratio)
    )
    return replace(book, held=book.held * p // q, after_sell=after_sell, average=average)
