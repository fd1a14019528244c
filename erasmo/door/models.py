"""What the front door hands out: frozen read models of plain values, never an aggregate.

Every command of `erasmo.door.FrontDoor` returns one of these receipts, the same for a dry run
as for the real run; every query returns rows or a head. They hold str, Decimal, date, UUID and
tuples of those (and the simulation's `OrderView`s), so a front end can keep them, compare them
and show them on any thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from erasmo.simulation.views import AdvanceReport, OrderView, TradingRules
from events.values import PriceProvenance

#: A portfolio's status, as `PortfolioRow.status` and `PortfolioHead.status` give it.
OPEN, CLOSED, DELETED = "open", "closed", "deleted"


@dataclass(frozen=True, slots=True)
class Position:
    """Shares of one ticker held."""

    ticker: str
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    """A portfolio as listed.

    Attributes:
        id, name: the portfolio (the name is unique in the list, ignoring case).
        status: "open" or "closed" (deleted portfolios are listed apart, see `DeletedRow`).
        simulated: True in simulation mode (the clock moves only when advanced).
        opened_on: the market date it was opened on.
        clock: the market date of its latest event.
        cash, currency: its cash balance.
        version: how many events it has.
    """

    id: UUID
    name: str
    status: str
    simulated: bool
    opened_on: date
    clock: date
    cash: Decimal
    currency: str
    version: int


@dataclass(frozen=True, slots=True)
class DeletedRow:
    """A deleted portfolio, as `erasmo portfolio list --deleted` lists it.

    Attributes:
        closed: whether it was closed when deleted (it comes back so).
        deleted_on: the market date of its tombstone; deleted_at: when (wall clock, UTC).
    """

    id: UUID
    name: str
    version: int
    clock: date
    closed: bool
    deleted_on: date
    deleted_at: datetime


@dataclass(frozen=True, slots=True)
class PortfolioHead:
    """A portfolio as of one version (its latest by default).

    Attributes:
        id, name, version: the portfolio and how many events this head includes.
        status: "open", "closed" or "deleted".
        simulated: True in simulation mode; rules: its mode, commission and slippage.
        opened_on: the market date it was opened on; clock: the date of its latest event.
        cash: the cash balance; available_cash: what open buy orders do not hold back.
        currency: the money it holds.
        positions: the shares held, by ticker.
        orders: its open orders, in placement order.
        parent_id: the portfolio it was forked from, for a branch.
    """

    id: UUID
    name: str
    version: int
    status: str
    simulated: bool
    opened_on: date
    clock: date
    cash: Decimal
    available_cash: Decimal
    currency: str
    positions: tuple[Position, ...]
    orders: tuple[OrderView, ...]
    rules: TradingRules
    parent_id: UUID | None = None

    def quantity(self, ticker: str) -> Decimal:
        """Shares of `ticker` held (0 when none)."""
        return next((p.quantity for p in self.positions if p.ticker == ticker), Decimal(0))


@dataclass(frozen=True, slots=True)
class CashReceipt:
    """A deposit or withdrawal, as recorded (or as it would be, for a dry run).

    Attributes:
        kind: "deposit" or "withdraw".
        amount: the cash moved; day: its market date.
        cash_before, cash_after: the balance around it.
    """

    portfolio_id: UUID
    portfolio: str
    kind: str
    amount: Decimal
    day: date
    cash_before: Decimal
    cash_after: Decimal


@dataclass(frozen=True, slots=True)
class TradeReceipt:
    """A trade, as recorded (or as it would be, for a dry run).

    Attributes:
        portfolio_id, portfolio: the portfolio's id and name.
        side: "buy" or "sell".
        ticker, day, quantity, price, fee: the trade.
        value: quantity x price rounded to the cent (the domain's rounding).
        provenance: where the price came from.
        cash_before, cash_after, position_before, position_after: the portfolio around it.
    """

    portfolio_id: UUID
    portfolio: str
    side: str
    ticker: str
    day: date
    quantity: Decimal
    price: Decimal
    fee: Decimal
    value: Decimal
    provenance: PriceProvenance
    cash_before: Decimal
    cash_after: Decimal
    position_before: Decimal
    position_after: Decimal


@dataclass(frozen=True, slots=True)
class ForkReceipt:
    """A what-if branch, as forked (or as it would be, for a dry run: its id is then one that
    is never recorded).

    Attributes:
        id, name: the branch.
        parent_id, parent: the portfolio it was forked from, and its name.
        point_seq, point_version, point_type, point_on: the parent's event it was forked after
            (its log position, version, type and market date).
        copied: how many of the parent's events the branch holds again.
        head: the branch as forked.
    """

    id: UUID
    name: str
    parent_id: UUID
    parent: str
    point_seq: int
    point_version: int
    point_type: str
    point_on: date
    copied: int
    head: PortfolioHead


@dataclass(frozen=True, slots=True)
class LogCheck:
    """An event-log file whose hash chain and count were verified.

    Attributes:
        path: the file; events: how many events it holds.
        portfolios: the portfolios it holds events of.
        erasmo_version: the erasmo that wrote it; last_hash: the end of its hash chain.
    """

    path: str
    events: int
    portfolios: tuple[UUID, ...]
    erasmo_version: str
    last_hash: str


@dataclass(frozen=True, slots=True)
class ImportReceipt:
    """An event-log file verified and imported (or counted, for a dry run).

    Attributes:
        path: the file; events: how many it holds; new: how many this store did not hold.
        portfolios: the portfolios it holds events of.
        erasmo_version: the erasmo that wrote it; last_hash: the end of its hash chain.
    """

    path: str
    events: int
    new: int
    portfolios: tuple[UUID, ...]
    erasmo_version: str
    last_hash: str


__all__ = [
    "CLOSED",
    "DELETED",
    "OPEN",
    "AdvanceReport",
    "CashReceipt",
    "DeletedRow",
    "ForkReceipt",
    "ImportReceipt",
    "LogCheck",
    "OrderView",
    "PortfolioHead",
    "PortfolioRow",
    "Position",
    "TradeReceipt",
    "TradingRules",
]
