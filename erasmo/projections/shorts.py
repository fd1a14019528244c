"""Cost-basis bookkeeping of a ticker a margin account holds (or held) short.

The vectorized kernels of `erasmo.projections.lots` assume a holding never below zero. A batch of
one ticker's trades that starts short or goes short is booked here instead, one trade at a time,
at average cost, exactly as the write side's `events.rules.shorts` books it: a short position
has a negative quantity and a negative cost basis (minus the proceeds, value - fee, of the
shares sold short still open). A purchase covers first (realizing the proceeds of the shares
covered less what covering them cost), then any rest opens a long; a sale closes a long first,
then any rest opens or extends a short.

FIFO and average cost coincide for such a ticker: its FIFO book after the batch is one lot
holding the whole long position at its average cost (empty while short), and its realized P&L
by FIFO is the average-cost one. A cover's realized P&L counts in the ticker's realized totals;
the realized-trades table lists sales only.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Protocol

import numpy as np

from erasmo.projections.frame import CENTS_PER_UNIT_OF_MONEY, UNITS_PER_SHARE, Bools, Floats, Ints
from erasmo.projections.lots import AverageBook, FifoBook
from erasmo.projections.tables import Sells


class TickerBooks(Protocol):
    """The per-ticker books `book_short` updates (those of a `ProjectionState`), each a list
    indexed by ticker code."""

    _fifo: list[FifoBook]
    _average: list[AverageBook]
    _realized_fifo: list[float]
    _realized_average: list[float]
    _last_price: list[float]


def book_short(
    state: TickerBooks,
    ticker: int,
    rows: Ints,
    columns: tuple[Bools, Ints, Ints, Ints, Ints, Floats],
    sells: Sells,
    filled: int,
) -> int:
    """`ProjectionState._book_ticker` for a batch that holds the ticker short: books the trades
    in `rows` and writes its sells into `sells` from position `filled`; returns the position
    after them."""
    is_buy, units, cents, seq, on, price = columns
    buy, units_g, cents_g = is_buy[rows], units[rows], cents[rows]
    sold = ~buy
    book, costs, covered = signed_match(state._average[ticker], buy, units_g, cents_g)
    state._average[ticker] = book
    state._fifo[ticker] = long_lots(book, state._fifo[ticker])
    cost = np.array(costs, dtype=np.float64)
    realized = np.append(cents_g[sold] / CENTS_PER_UNIT_OF_MONEY - cost, covered)
    for totals in (state._realized_fifo, state._realized_average):
        # cumsum from the carried total, as `state._running_total` adds
        totals[ticker] = float(np.cumsum(np.concatenate([[totals[ticker]], realized]))[-1])
    state._last_price[ticker] = float(price[rows][-1])
    part = slice(filled, filled + int(sold.sum()))
    sells.seq[part], sells.on[part] = seq[rows][sold], on[rows][sold]
    sells.units[part], sells.ticker[part] = units_g[sold], ticker
    sells.proceeds[part] = cents_g[sold]
    sells.cost_fifo[part], sells.cost_average[part] = cost, cost
    return part.stop


def signed_match(
    book: AverageBook, is_buy: Bools, units: Ints, cents: Ints
) -> tuple[AverageBook, list[float], float]:
    """Book one ticker's trades at average cost, shorts allowed.

    `cents` is value + fee for buys, value - fee for sells. Returns the new book, each sell's
    cost (the cost of the long shares it closed, plus its proceeds for the shares it sold
    short: a short sale realizes nothing) and the P&L the covers realized.
    """
    held = book.held
    basis = book.cost_basis
    sell_costs: list[float] = []
    covered = 0.0
    for buy, u, c in zip(is_buy.tolist(), units.tolist(), cents.tolist(), strict=True):
        money = c / CENTS_PER_UNIT_OF_MONEY
        if buy:
            closing = min(u, max(-held, 0))
            if closing:
                removed = basis * closing / -held  # minus the proceeds of the shares covered
                covered += -removed - money * closing / u
                basis -= removed
            basis += money * (u - closing) / u
            held += u
        else:
            closing = min(u, max(held, 0))
            removed = basis * closing / held if closing else 0.0
            basis -= removed + money * (u - closing) / u
            sell_costs.append(removed + money * (u - closing) / u)
            held -= u
        if held == 0:
            basis = 0.0
    average = basis / (held / UNITS_PER_SHARE) if held else 0.0
    return AverageBook(held=held, after_sell=held, added=0, average=average), sell_costs, covered


def long_lots(book: AverageBook, fifo: FifoBook) -> FifoBook:
    """The FIFO book matching `book` after a signed batch: one lot of the long position at its
    average cost, none while short."""
    if book.held <= 0:
        return FifoBook(bought=0, sold=0)
    cost = round(book.cost_basis * CENTS_PER_UNIT_OF_MONEY)
    return FifoBook(
        start=np.zeros(1, dtype=np.int64),
        end=np.array([book.held], dtype=np.int64),
        cost=np.array([cost], dtype=np.int64),
        seq=_last(fifo.seq),
        on=_last(fifo.on),
        price=np.array([book.average], dtype=np.float64),
        bought=book.held,
        sold=0,
    )


def _last(values: Ints) -> Ints:
    return values[-1:] if len(values) else np.zeros(1, dtype=np.int64)


def split_short(book: AverageBook, ratio: Fraction) -> AverageBook:
    """A short position after a split: the quantity times the ratio, rounded toward zero to a
    millionth of a share (as the write side does), with the same cost basis."""
    p, q = ratio.numerator, ratio.denominator
    held = -((-book.held) * p // q)
    basis = book.cost_basis
    average = basis / (held / UNITS_PER_SHARE) if held else 0.0
    return replace(book, held=held, after_sell=held, added=0, average=average)
