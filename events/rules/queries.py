"""What a portfolio answers without changing: its positions, open orders and what they hold
back (the queries of `events.portfolio.Portfolio`, which inherits them)."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from events.orders import Order
from events.rules import cash, status, trades
from events.rules import orders as order_rules
from events.rules.book import Book, Position


class PortfolioQueries:
    """The read-only queries of a portfolio (mixed into `Portfolio`)."""

    @property
    def _book(self) -> Book:
        return cast("Book", self)

    def positions(self) -> list[Position]:
        """Open positions, sorted by ticker."""
        book = self._book
        return [
            Position(ticker=t, quantity=q, cost_basis=book.cost[t])
            for t, q in sorted(book.shares.items())
        ]

    @property
    def simulated(self) -> bool:
        """True in simulation mode: the clock moves only when advanced."""
        return status.simulated(self._book)

    @property
    def reserved_cash(self) -> Decimal:
        """Cash held back by open buy orders."""
        return cash.reserved_cash(self._book)

    @property
    def available_cash(self) -> Decimal:
        """Cash not held back by open orders: what a withdrawal, trade or new order may use."""
        return cash.available_cash(self._book)

    def reserved_shares(self, ticker: str) -> Decimal:
        """Shares of `ticker` held back by open sell orders."""
        return trades.reserved_shares(self._book, ticker)

    def available_shares(self, ticker: str) -> Decimal:
        """Shares of `ticker` held and not held back by open sell orders."""
        return trades.available_shares(self._book, ticker)

    def orders(self) -> list[Order]:
        """The open orders, in placement order."""
        return sorted(
            (Order(**fields) for fields in self._book.open_orders.values()),
            key=lambda o: o.number,
        )

    def order(self, order_id: str) -> Order:
        """The open order with id `order_id`; raises UnknownOrderError if there is none."""
        return Order(**order_rules.open_order(self._book, order_id))
