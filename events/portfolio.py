"""The Portfolio aggregate: a virtual brokerage account and the events that change it.

Each public method checks its invariant and then triggers one past-tense event; a broken rule
raises a named error and triggers nothing. Every event carries the market date it happened on
(`on`), separate from the wall-clock `timestamp` eventsourcing stamps on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from events.errors import (
    ClockError,
    ClosedPortfolioError,
    ForkPointError,
    InsufficientCashError,
    InsufficientSharesError,
)
from events.upcasting import declare_versions
from events.values import (
    PriceProvenance,
    parse_fee,
    parse_money,
    parse_name,
    parse_price,
    parse_quantity,
    parse_ticker,
    to_cents,
)

ZERO = Decimal(0)


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


class Portfolio(Aggregate):
    """A virtual portfolio: cash, positions and a clock that only moves forward.

    Attributes:
        name: the portfolio's display name (unique per store, ignoring case).
        currency: ISO code of the money it holds.
        opened_on: market date it was opened.
        clock: market date of its latest event.
        cash: cash balance, never negative.
        shares: ticker -> quantity held (only tickers with a position).
        cost: ticker -> cost basis of the quantity held.
        closed: True once closed; a closed portfolio accepts no command.
    """

    @event("PortfolioOpened")
    def __init__(self, name: str, on: date, currency: str = "USD") -> None:
        self.name = name
        self.currency = currency
        self.opened_on = on
        self.clock = on
        self.cash = ZERO
        self.shares: dict[str, Decimal] = {}
        self.cost: dict[str, Decimal] = {}
        self.closed = False

    @classmethod
    def open(cls, name: str, on: date, currency: str = "USD") -> Portfolio:
        """Open a new, empty portfolio on market date `on`."""
        return cls(name=parse_name(name), on=on, currency=currency)

    # -- commands -------------------------------------------------------------------------

    def deposit(self, amount: Decimal, on: date) -> None:
        """Add cash."""
        amount = parse_money(amount)
        self._check_open_and_clock(on)
        self._cash_deposited(amount=amount, on=on)

    def withdraw(self, amount: Decimal, on: date) -> None:
        """Take cash out; never more than the balance."""
        amount = parse_money(amount)
        self._check_open_and_clock(on)
        if amount > self.cash:
            raise InsufficientCashError(
                f"Cannot withdraw {amount:,.2f} {self.currency} from {self.name!r}: its cash is "
                f"{self.cash:,.2f}. Withdraw at most that, or sell shares first."
            )
        self._cash_withdrawn(amount=amount, on=on)

    def buy(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        on: date,
        provenance: PriceProvenance,
        fee: Decimal = ZERO,
    ) -> None:
        """Buy shares at `price`; the cost (value rounded to the cent, plus fee) must be covered."""
        ticker, quantity, price, fee = self._check_trade(ticker, quantity, price, fee, on)
        value = to_cents(quantity * price)
        total = value + fee
        if total > self.cash:
            raise InsufficientCashError(
                f"Buying {quantity} {ticker} at {price} costs {total:,.2f} {self.currency} "
                f"(fee {fee:,.2f} included) but {self.name!r} has {self.cash:,.2f} in cash. "
                "Deposit more cash or buy fewer shares."
            )
        self._shares_bought(
            **self._trade_fields(ticker, quantity, price, value, fee, on, provenance)
        )

    def sell(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        on: date,
        provenance: PriceProvenance,
        fee: Decimal = ZERO,
    ) -> None:
        """Sell shares held at `price`; never more than held, and the fee must be covered."""
        ticker, quantity, price, fee = self._check_trade(ticker, quantity, price, fee, on)
        held = self.shares.get(ticker, ZERO)
        if quantity > held:
            raise InsufficientSharesError(
                f"Cannot sell {quantity} {ticker} from {self.name!r}: it holds {held}. "
                "Sell at most that many."
            )
        value = to_cents(quantity * price)
        if self.cash + value - fee < 0:
            raise InsufficientCashError(
                f"The fee {fee:,.2f} exceeds the cash {self.name!r} would have after the sale "
                f"({self.cash + value:,.2f}). Lower the fee."
            )
        self._shares_sold(**self._trade_fields(ticker, quantity, price, value, fee, on, provenance))

    def rename(self, new_name: str) -> None:
        """Give the portfolio another name (uniqueness is the store's concern)."""
        new_name = parse_name(new_name)
        self._check_open()
        self._renamed(name=new_name, on=self.clock)

    def close(self) -> None:
        """Close the portfolio; its history stays, and it accepts no further command."""
        self._check_open()
        self._closed(on=self.clock)

    # -- queries --------------------------------------------------------------------------

    def positions(self) -> list[Position]:
        """Open positions, sorted by ticker."""
        return [
            Position(ticker=t, quantity=q, cost_basis=self.cost[t])
            for t, q in sorted(self.shares.items())
        ]

    # -- rules ----------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self.closed:
            raise ClosedPortfolioError(
                f"Portfolio {self.name!r} is closed and accepts no more commands. "
                "Open a new portfolio to keep trading."
            )

    def _check_open_and_clock(self, on: date) -> None:
        self._check_open()
        if on < self.clock:
            raise ClockError(
                f"{on.isoformat()} is before the latest event of {self.name!r}, on "
                f"{self.clock.isoformat()}: a portfolio's clock only moves forward. Use "
                f"{self.clock.isoformat()} or later (time travel is for reading: see "
                "'erasmo holdings --as-of')."
            )

    def _check_trade(
        self, ticker: str, quantity: Decimal, price: Decimal, fee: Decimal, on: date
    ) -> tuple[str, Decimal, Decimal, Decimal]:
        checked = (parse_ticker(ticker), parse_quantity(quantity), parse_price(price))
        fee = parse_fee(fee)
        self._check_open_and_clock(on)
        return (*checked, fee)

    @staticmethod
    def _trade_fields(
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        value: Decimal,
        fee: Decimal,
        on: date,
        provenance: PriceProvenance,
    ) -> dict[str, Any]:
        return {
            "ticker": ticker,
            "quantity": quantity,
            "price": price,
            "value": value,
            "fee": fee,
            "on": on,
            "price_source": provenance.source,
            "price_date": provenance.day,
            "price_adjusted": provenance.adjusted,
            "price_kind": provenance.kind,
        }

    # -- events ---------------------------------------------------------------------------

    @event("CashDeposited")
    def _cash_deposited(self, amount: Decimal, on: date) -> None:
        self.cash += amount
        self.clock = on

    @event("CashWithdrawn")
    def _cash_withdrawn(self, amount: Decimal, on: date) -> None:
        self.cash -= amount
        self.clock = on

    @event("SharesBought")
    def _shares_bought(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        value: Decimal,
        fee: Decimal,
        on: date,
        price_source: str,
        price_date: date,
        price_adjusted: bool,
        price_kind: str,
    ) -> None:
        self.cash -= value + fee
        self.shares[ticker] = self.shares.get(ticker, ZERO) + quantity
        self.cost[ticker] = self.cost.get(ticker, ZERO) + value + fee
        self.clock = on

    @event("SharesSold")
    def _shares_sold(
        self,
        ticker: str,
        quantity: Decimal,
        price: Decimal,
        value: Decimal,
        fee: Decimal,
        on: date,
        price_source: str,
        price_date: date,
        price_adjusted: bool,
        price_kind: str,
    ) -> None:
        held = self.shares[ticker]
        remaining = held - quantity
        self.cash += value - fee
        if remaining == 0:
            del self.shares[ticker]
            del self.cost[ticker]
        else:
            self.cost[ticker] -= self.cost[ticker] * quantity / held
            self.shares[ticker] = remaining
        self.clock = on

    @event("PortfolioRenamed")
    def _renamed(self, name: str, on: date) -> None:
        self.name = name

    @event("PortfolioClosed")
    def _closed(self, on: date) -> None:
        self.closed = True

    # -- what-if branches -----------------------------------------------------------------
    # A branch is a portfolio whose history starts as a copy of another's up to one of its
    # events: opened on the same date, then `BranchForked` saying where it came from, then the
    # parent's events again (same fields, same market dates), then its own.

    #: The portfolio this one was forked from (None for a portfolio opened afresh). A class
    #: default, so snapshots taken before branches existed still load.
    parent_id: UUID | None = None

    def record_fork(
        self, parent_id: UUID, parent_name: str, parent_version: int, parent_seq: int
    ) -> None:
        """Mark this portfolio, just opened, as a branch of `parent_id` after its event
        `parent_version` (log position `parent_seq` in the store where it was forked)."""
        if self.version != 1:
            raise ForkPointError(
                f"{self.name!r} already has events: only a portfolio just opened can become a "
                "branch. Fork into a new name instead."
            )
        if parent_id == self.id or parent_version < 1 or parent_seq < 1:
            raise ForkPointError(
                f"A branch must come from another portfolio's event (got version "
                f"{parent_version} at seq {parent_seq} of {parent_id}). See 'erasmo history'."
            )
        self._branch_forked(
            parent_id=parent_id,
            parent_name=parse_name(parent_name),
            parent_version=parent_version,
            parent_seq=parent_seq,
            on=self.opened_on,
        )

    def copy_parent_event(self, event_type: str, fields: dict[str, Any]) -> None:
        """Record one of the parent's events again in this branch, with the same fields.

        The parent's opening, renames, closing and own fork mark are not copied (see
        `NOT_COPIED_TO_BRANCHES`): the branch has its own name, and is open.
        """
        if event_type in NOT_COPIED_TO_BRANCHES:
            return
        if self.parent_id is None:
            raise ForkPointError(
                f"{self.name!r} is not a branch: record the fork before copying events."
            )
        self._check_open_and_clock(fields["on"])
        self.trigger_event(EVENT_TYPES[event_type], **fields)

    @event("BranchForked")
    def _branch_forked(
        self, parent_id: UUID, parent_name: str, parent_version: int, parent_seq: int, on: date
    ) -> None:
        self.parent_id = parent_id


#: A parent's events a branch does not copy: it has its own opening and name, stays open, and
#: names only its own parent (a fork of a fork reaches the grandparent through the parent).
NOT_COPIED_TO_BRANCHES = frozenset(
    ("PortfolioOpened", "PortfolioRenamed", "PortfolioClosed", "BranchForked")
)


#: Event types by the name people see in history and export files.
EVENT_TYPES: dict[str, type[Aggregate.Event]] = {
    "PortfolioOpened": Portfolio.PortfolioOpened,  # type: ignore[attr-defined]
    "CashDeposited": Portfolio.CashDeposited,  # type: ignore[attr-defined]
    "CashWithdrawn": Portfolio.CashWithdrawn,  # type: ignore[attr-defined]
    "SharesBought": Portfolio.SharesBought,  # type: ignore[attr-defined]
    "SharesSold": Portfolio.SharesSold,  # type: ignore[attr-defined]
    "PortfolioRenamed": Portfolio.PortfolioRenamed,  # type: ignore[attr-defined]
    "PortfolioClosed": Portfolio.PortfolioClosed,  # type: ignore[attr-defined]
    # what-if branches
    "BranchForked": Portfolio.BranchForked,  # type: ignore[attr-defined]
}

#: The version of each event's stored shape. Raise one, and add its upcaster to
#: `events.upcasting.UPCASTERS`, whenever the fields an event stores change (and raise
#: `events.store.STORE_FORMAT_VERSION`, so an older erasmo refuses the store).
EVENT_VERSIONS: dict[str, int] = {
    "PortfolioOpened": 1,
    "CashDeposited": 1,
    "CashWithdrawn": 1,
    "SharesBought": 2,  # v2 added price_kind
    "SharesSold": 1,
    "PortfolioRenamed": 1,
    "PortfolioClosed": 1,
    # what-if branches
    "BranchForked": 1,
}
declare_versions(EVENT_TYPES, EVENT_VERSIONS)

#: Topic -> type name, for every Portfolio event (what stored rows and files name them by).
PORTFOLIO_TOPICS: dict[str, str] = {get_topic(cls): name for name, cls in EVENT_TYPES.items()}
