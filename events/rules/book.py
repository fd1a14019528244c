"""The state of a portfolio as its rules and its events' effects see it."""

from __future__ import annotations

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
