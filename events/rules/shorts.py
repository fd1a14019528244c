"""Short positions of a margin account: what a sale beyond the shares held and a purchase of a
short ticker do to the book.

A short position has a negative quantity, and a negative cost: minus the proceeds (value less
fee) of the shares sold short still open, at average cost. A purchase covers it first (removing
the average proceeds of the shares covered), then any rest opens a long position; a sale closes
a long position first, then any rest opens or extends a short. The cash moves as for any trade
(a short sale adds its proceeds; a cover pays its cost).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from events.rules.actions import traded
from events.rules.book import ZERO, Book


def _set(self: Book, ticker: str, quantity: Decimal, cost: Decimal) -> None:
    if quantity == 0:
        self.shares.pop(ticker, None)
        self.cost.pop(ticker, None)
    else:
        self.shares[ticker] = quantity
        self.cost[ticker] = cost


def sold_short(
    self: Book, ticker: str, quantity: Decimal, value: Decimal, fee: Decimal, on: date
) -> None:
    """A sale of more than the long shares held (or of a ticker already short)."""
    held = self.shares.get(ticker, ZERO)
    cost = self.cost.get(ticker, ZERO)
    traded(self, ticker, held, on)
    self.cash += value - fee
    closing = min(quantity, max(held, ZERO))
    opening = quantity - closing
    if closing:
        cost -= cost * closing / held
    cost -= (value - fee) * opening / quantity
    _set(self, ticker, held - quantity, cost)
    self.clock = on


def bought_cover(
    self: Book, ticker: str, quantity: Decimal, value: Decimal, fee: Decimal, on: date
) -> None:
    """A purchase of a ticker held short: it covers, then any rest opens a long position."""
    held = self.shares[ticker]
    cost = self.cost[ticker]
    traded(self, ticker, held, on)
    self.cash -= value + fee
    covering = min(quantity, -held)
    cost -= cost * covering / -held
    opening = quantity - covering
    if opening:
        cost = (value + fee) * opening / quantity
    _set(self, ticker, held + quantity, cost)
    self.clock = on
