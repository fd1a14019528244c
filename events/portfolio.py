"""The Portfolio aggregate: a virtual brokerage account and the events that change it.

Each public method checks its invariant and then triggers one past-tense event; a broken rule
raises a named error and triggers nothing. Every event carries the market date it happened on
(`on`), separate from the wall-clock `timestamp` eventsourcing stamps on it.

Corporate actions (`split`, `receive_dividend`) are the one exception to the forward-only clock:
an action happens to a position whatever the portfolio did since, so it may be recorded after
later events (it leaves the clock where it is), provided the position has not changed on or after
its ex-date. Then the position on the ex-date is the position now, and recording the action late
gives exactly the state of recording it on time (cash and other tickers are unaffected by it).
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
    CorporateActionError,
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
    parse_ratio,
    parse_ticker,
    split_quantity,
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
        traded_on: ticker -> market date of its latest trade.
        opening: ticker -> its holding before the first trade on `traded_on[ticker]`.
        split_on: ticker -> ex-date of its latest split.
        actions: keys (see `action_key`) of the corporate actions recorded.
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
        self.traded_on: dict[str, date] = {}
        self.opening: dict[str, Decimal] = {}
        self.split_on: dict[str, date] = {}
        self.actions: dict[str, bool] = {}

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

    def split(self, ticker: str, ratio: Decimal, on: date) -> None:
        """Apply a stock split effective on ex-date `on` to the shares held.

        The holding becomes quantity * ratio (rounded down to a millionth of a share: fractional
        shares are kept, as everywhere in erasmo); the cost basis stays, so the cost per share is
        divided by the ratio.
        """
        ticker, ratio = parse_ticker(ticker), parse_ratio(ratio)
        held = self._check_action(ticker, "split", on)
        if split_quantity(held, ratio) == 0:
            raise CorporateActionError(
                f"A {ratio} split of {held} {ticker} leaves less than a millionth of a share, "
                "which erasmo cannot hold; sell the position instead."
            )
        self._split_applied(ticker=ticker, ratio=ratio, on=on)

    def receive_dividend(
        self, ticker: str, amount_per_share: Decimal, on: date, quantity: Decimal | None = None
    ) -> None:
        """Receive a cash dividend of `amount_per_share` on the shares held on ex-date `on`.

        The cash is quantity * amount_per_share rounded to the cent. `quantity`, when given,
        must be the holding (a check that the caller and the portfolio agree on it).
        """
        ticker = parse_ticker(ticker)
        amount_per_share = parse_price(amount_per_share)
        held = self._check_action(ticker, "dividend", on)
        if quantity is not None and parse_quantity(quantity) != held:
            raise CorporateActionError(
                f"The dividend of {ticker} on {on.isoformat()} is for {quantity} shares but "
                f"{self.name!r} holds {held}; record it for the shares held."
            )
        self._dividend_received(
            ticker=ticker,
            amount_per_share=amount_per_share,
            quantity=held,
            amount=to_cents(held * amount_per_share),
            on=on,
        )

    def has_action(self, ticker: str, kind: str, on: date) -> bool:
        """Whether the split or dividend of `ticker` with ex-date `on` is already recorded."""
        return action_key(ticker.strip().upper(), kind, on) in self._actions()

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

    def _check_action(self, ticker: str, kind: str, on: date) -> Decimal:
        """The holding an action on ex-date `on` applies to, once the action's rules hold.

        That is the holding at the close of the day before `on`. Dated after the clock, it is
        the holding now. Dated on or before it (a late action), it is the holding now if the
        ticker was not traded on or after `on` (and not split after it); for a dividend it may
        also be the holding before the first trade on the ex-date itself (a trade on the
        ex-date is in post-split terms, so a late split allows none).
        """
        self._check_open()
        if self.has_action(ticker, kind, on):
            raise CorporateActionError(
                f"The {kind} of {ticker} on {on.isoformat()} is already recorded in "
                f"{self.name!r}; it is recorded once."
            )
        held = self.shares.get(ticker, ZERO)
        if on <= self.clock:  # a late action
            traded = self._dates("traded_on").get(ticker)
            split = self._dates("split_on").get(ticker)
            if kind == "dividend" and traded == on and (split is None or split <= on):
                held = self._opening().get(ticker, ZERO)
            elif (
                (traded is None and held > 0)
                or (traded is not None and traded >= on)
                or (split is not None and split > on)
            ):
                changed = max(d for d in (traded, split) if d is not None) if held else None
                when = f"on {changed.isoformat()}" if changed else "at an unknown date"
                raise CorporateActionError(
                    f"The {kind} of {ticker} on {on.isoformat()} cannot be recorded in "
                    f"{self.name!r}: its {ticker} holding changed {when}, on or after that "
                    "ex-date, so the shares held then are not known. Record actions before "
                    "trading past their ex-date ('erasmo actions apply')."
                )
        if held == 0:
            raise CorporateActionError(
                f"{self.name!r} held no {ticker} on the day before {on.isoformat()}, so the "
                f"{kind} of {ticker} then does not concern it. Actions are recorded only for "
                "the shares held."
            )
        return held

    def _opening(self) -> dict[str, Decimal]:
        """ticker -> its holding before the first trade of the day `traded_on[ticker]`."""
        opening: dict[str, Decimal] = self.__dict__.setdefault("opening", {})
        return opening

    def _traded(self, ticker: str, held_before: Decimal, on: date) -> None:
        traded = self._dates("traded_on")
        if traded.get(ticker) != on:
            self._opening()[ticker] = held_before
        traded[ticker] = on

    def _dates(self, attribute: str) -> dict[str, date]:
        # A snapshot taken before erasmo tracked these has no such attribute.
        dates: dict[str, date] = self.__dict__.setdefault(attribute, {})
        return dates

    def _actions(self) -> dict[str, bool]:
        recorded: dict[str, bool] = self.__dict__.setdefault("actions", {})
        return recorded

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
        self._traded(ticker, self.shares.get(ticker, ZERO), on)
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
        self._traded(ticker, held, on)
        remaining = held - quantity
        self.cash += value - fee
        if remaining == 0:
            del self.shares[ticker]
            del self.cost[ticker]
        else:
            self.cost[ticker] -= self.cost[ticker] * quantity / held
            self.shares[ticker] = remaining
        self.clock = on

    @event("SplitApplied")
    def _split_applied(self, ticker: str, ratio: Decimal, on: date) -> None:
        self.shares[ticker] = split_quantity(self.shares[ticker], ratio)
        self._dates("split_on")[ticker] = on
        self._actions()[action_key(ticker, "split", on)] = True
        self.clock = max(self.clock, on)

    @event("DividendReceived")
    def _dividend_received(
        self, ticker: str, amount_per_share: Decimal, quantity: Decimal, amount: Decimal, on: date
    ) -> None:
        self.cash += amount
        self._actions()[action_key(ticker, "dividend", on)] = True
        self.clock = max(self.clock, on)

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
        if event_type in LATE_EVENTS:
            # a split or dividend may be recorded after later events (see `_check_action`): the
            # parent's log passed that rule, and the branch holds what the parent held then
            self._check_open()
        else:
            self._check_open_and_clock(fields["on"])
        self.trigger_event(EVENT_TYPES[event_type], **fields)

    @event("BranchForked")
    def _branch_forked(
        self, parent_id: UUID, parent_name: str, parent_version: int, parent_seq: int, on: date
    ) -> None:
        self.parent_id = parent_id


#: Events that may be dated before the portfolio's clock (corporate actions recorded late).
LATE_EVENTS = frozenset(("SplitApplied", "DividendReceived"))

#: A parent's events a branch does not copy: it has its own opening and name, stays open, and
#: names only its own parent (a fork of a fork reaches the grandparent through the parent).
NOT_COPIED_TO_BRANCHES = frozenset(
    ("PortfolioOpened", "PortfolioRenamed", "PortfolioClosed", "BranchForked")
)


def action_key(ticker: str, kind: str, on: date) -> str:
    """How a recorded corporate action is remembered: "AAPL split 2005-02-28"."""
    return f"{ticker} {kind} {on.isoformat()}"


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
    # corporate actions
    "SplitApplied": Portfolio.SplitApplied,  # type: ignore[attr-defined]
    "DividendReceived": Portfolio.DividendReceived,  # type: ignore[attr-defined]
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
    # corporate actions
    "SplitApplied": 1,
    "DividendReceived": 1,
}
declare_versions(EVENT_TYPES, EVENT_VERSIONS)

#: Topic -> type name, for every Portfolio event (what stored rows and files name them by).
PORTFOLIO_TOPICS: dict[str, str] = {get_topic(cls): name for name, cls in EVENT_TYPES.items()}
