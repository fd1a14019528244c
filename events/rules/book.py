"""The state of a portfolio as its rules and its events' effects see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol, TypeVar
from uuid import UUID

from events.errors import ErasmoError

ZERO = Decimal(0)
E = TypeVar("E", bound=ErasmoError)


def broken(error: E, *problems: str) -> E:
    """`error`, carrying the broken rule in the audit's words (its `problems`)."""
    error.problems = problems
    return error


class Book(Protocol):
    """What `events.portfolio.Portfolio` holds (its attributes are documented there).

    Snapshots taken before erasmo tracked `traded_on`, `opening`, `split_on` and `actions`
    lack them: those are reached through `events.rules.actions`, which adds them when missing.
    """

    name: str
    currency: str
    opened_on: date
    clock: date
    cash: Decimal
    shares: dict[str, Decimal]
    cost: dict[str, Decimal]
    closed: bool
    deleted: bool
    mode: str
    commission: str
    slippage_bps: Decimal
    open_orders: dict[str, dict[str, Any]]
    orders_placed: int
    parent_id: UUID | None
    strategy: str | None
    strategy_stopped: bool

    @property
    def id(self) -> UUID: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Position:
    """Shares of one ticker held, and what they cost (average-cost basis, fees included).

    Attributes:
        ticker: upper-case symbol.
        quantity: shares held, > 0.
        cost_basis: total cost of the shares held, in the portfolio's currency.
    """

    ticker: str
    quantity: Decimal
    cost_basis: Decimal

    @property
    def average_cost(self) -> Decimal:
        """Cost per share held."""
        return self.cost_basis / self.quantity
