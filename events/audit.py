"""Checking a portfolio's event sequence against the rules, without trusting how it was written.

`erasmo check` and `erasmo import` use this: events that come from a file or an old store are
replayed rule by rule, and every broken invariant is reported with the event it broke at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from events.commission import parse_commission, parse_slippage_bps
from events.errors import InvalidInputError
from events.orders import ORDER_EVENT_TYPES
from events.values import (
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
#: Events exempt from the forward-only clock (see `events.portfolio`): checked by `_Actions`.
ACTIONS = ("SplitApplied", "DividendReceived")
#: Events a closed portfolio still accepts.
AFTER_CLOSING = frozenset(
    ("PortfolioRenamed", "PortfolioReopened", "PortfolioDeleted", "PortfolioUndeleted")
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule.

    Attributes:
        version: the portfolio event version where it broke.
        event_type: that event's type name.
        message: what is wrong.
    """

    version: int
    event_type: str
    message: str


@dataclass(frozen=True, slots=True)
class AuditedEvent:
    """The parts of an event the rules look at: its version, type name and fields."""

    version: int
    event_type: str
    fields: dict[str, Any]


def audit_portfolio(events: Iterable[AuditedEvent]) -> list[Problem]:
    """Every broken invariant in one portfolio's events, in order; empty when all hold."""
    problems: list[Problem] = []
    cash = ZERO
    shares: dict[str, Decimal] = {}
    clock: date | None = None
    closed = deleted = False
    actions = _Actions()
    expected_version = 1
    book = _OrderBook()
    for event in events:
        found: list[str] = []
        kind, fields = event.event_type, event.fields
        if event.version != expected_version:
            found.append(f"version {event.version} should be {expected_version}")
        expected_version = event.version + 1
        if event.version == 1 and kind != "PortfolioOpened":
            found.append("the first event must be PortfolioOpened")
        elif event.version > 1 and kind == "PortfolioOpened":
            found.append("PortfolioOpened may only be the first event")
        # what-if branches
        if kind == "BranchForked" and event.version != 2:
            found.append("BranchForked may only follow PortfolioOpened")
        on = fields.get("on")
        if not isinstance(on, date) or isinstance(on, datetime):
            found.append("it has no market date")
            on = None
        elif clock is not None and on < clock and kind not in ACTIONS:
            found.append(f"dated {on} before the portfolio's clock {clock}")
        if deleted and kind != "PortfolioUndeleted":
            found.append("the portfolio was deleted")
        elif closed and kind not in AFTER_CLOSING:
            found.append("the portfolio was already closed")
        _check_status(kind, closed, deleted, found)
        try:
            if kind in ACTIONS:
                cash = actions.apply(kind, fields, cash, shares, clock, found)
            else:
                actions.before_trade(kind, fields, shares)
                cash = _apply(kind, fields, cash, shares, found)
        except (InvalidInputError, KeyError, TypeError, ArithmeticError) as error:
            found.append(f"invalid field: {error}")
        try:
            book.apply(kind, fields, found)
        except (InvalidInputError, KeyError, TypeError, ArithmeticError) as error:
            found.append(f"invalid order field: {error}")
        if on is not None:
            clock = max(on, clock) if clock else on
        closed = (closed or kind == "PortfolioClosed") and kind != "PortfolioReopened"
        deleted = (deleted or kind == "PortfolioDeleted") and kind != "PortfolioUndeleted"
        problems.extend(Problem(event.version, kind, message) for message in found)
    return problems


def _apply(
    kind: str, fields: dict[str, Any], cash: Decimal, shares: dict[str, Decimal], found: list[str]
) -> Decimal:
    if kind in ("PortfolioOpened", "PortfolioRenamed"):
        parse_name(fields["name"])
    elif kind == "CashDeposited":
        cash += parse_money(fields["amount"])
    elif kind == "CashWithdrawn":
        cash -= parse_money(fields["amount"])
    elif kind in ("SharesBought", "SharesSold"):
        ticker = parse_ticker(fields["ticker"])
        quantity = parse_quantity(fields["quantity"])
        price = parse_price(fields["price"])
        fee = parse_fee(fields["fee"])
        value = fields["value"]
        if value != to_cents(quantity * price):
            found.append(f"value {value} is not quantity x price rounded to the cent")
        held = shares.get(ticker, ZERO)
        if kind == "SharesBought":
            cash -= value + fee
            shares[ticker] = held + quantity
        else:
            if quantity > held:
                found.append(f"sells {quantity} {ticker} but holds {held}")
            cash += value - fee
            shares[ticker] = held - quantity
    # what-if branches
    elif kind == "BranchForked":
        _check_fork(fields, found)
    elif kind != "PortfolioClosed" and kind not in (*ORDER_EVENT_TYPES, *_STATUS_EVENTS):
        found.append(f"unknown event type {kind}")
    if cash < 0:
        found.append(f"cash would be negative ({cash})")
    return cash


_STATUS_EVENTS = frozenset(("PortfolioReopened", "PortfolioDeleted", "PortfolioUndeleted"))


def _check_status(kind: str, closed: bool, deleted: bool, found: list[str]) -> None:
    """A reopen needs a closed portfolio, an undelete a deleted one."""
    if kind == "PortfolioReopened" and not closed:
        found.append("it reopens a portfolio that is not closed")
    elif kind == "PortfolioUndeleted" and not deleted:
        found.append("it undeletes a portfolio that is not deleted")


def _check_fork(fields: dict[str, Any], found: list[str]) -> None:
    """A fork mark names its parent by id, name, version and log position."""
    parse_name(fields["parent_name"])
    if not isinstance(fields["parent_id"], UUID):
        found.append("its parent_id is not a UUID")
    for key in ("parent_version", "parent_seq"):
        value = fields[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            found.append(f"its {key} {value!r} is not a positive whole number")


class _Actions:
    """The rules of splits and dividends (as `events.rules.actions.check_action` states them):
    the action is new, and applies to the holding at the close of the day before its ex-date,
    which must be known when the action is recorded after later events."""

    def __init__(self) -> None:
        self.traded_on: dict[str, date] = {}
        self.opening: dict[str, Decimal] = {}
        self.split_on: dict[str, date] = {}
        self.recorded: set[tuple[str, str, date]] = set()

    def before_trade(self, kind: str, fields: dict[str, Any], shares: dict[str, Decimal]) -> None:
        if kind in ("SharesBought", "SharesSold"):
            ticker, on = parse_ticker(fields["ticker"]), fields["on"]
            if self.traded_on.get(ticker) != on:
                self.opening[ticker] = shares.get(ticker, ZERO)
            self.traded_on[ticker] = on

    def apply(
        self,
        kind: str,
        fields: dict[str, Any],
        cash: Decimal,
        shares: dict[str, Decimal],
        clock: date | None,
        found: list[str],
    ) -> Decimal:
        ticker, on = parse_ticker(fields["ticker"]), fields["on"]
        if not isinstance(on, date):
            return cash
        what = "split" if kind == "SplitApplied" else "dividend"
        if (ticker, what, on) in self.recorded:
            found.append(f"the {what} of {ticker} on {on} is recorded twice")
        self.recorded.add((ticker, what, on))
        held = shares.get(ticker, ZERO)
        traded, split = self.traded_on.get(ticker), self.split_on.get(ticker)
        entitled = held
        if clock is not None and on <= clock:
            if what == "dividend" and traded == on and (split is None or split <= on):
                entitled = self.opening.get(ticker, ZERO)
            elif (traded is not None and traded >= on) or (split is not None and split > on):
                found.append(f"the {ticker} holding changed on or after the ex-date {on}")
        if entitled <= 0:
            found.append(f"a {what} of {ticker}, which was not held the day before {on}")
        if kind == "SplitApplied":
            ratio = parse_ratio(fields["ratio"])
            shares[ticker] = split_quantity(held, ratio)
            self.split_on[ticker] = on
            return cash
        per_share = parse_price(fields["amount_per_share"])
        quantity, amount = parse_quantity(fields["quantity"]), fields["amount"]
        if quantity != entitled:
            found.append(f"the dividend is for {quantity} {ticker} but {entitled} were held")
        if not isinstance(amount, Decimal):
            raise TypeError(f"the dividend's amount {amount!r} is not a decimal")
        if amount != to_cents(quantity * per_share):
            found.append(f"amount {amount} is not quantity x amount per share rounded to the cent")
        return cash + amount


# -- orders and the market clock ------------------------------------------------------------


class _OrderBook:
    """The open orders while auditing: each order is done once, and each OrderFilled is
    immediately followed by its trade (same ticker, quantity, price and fee)."""

    def __init__(self) -> None:
        self.open: dict[str, dict[str, Any]] = {}
        self.pending: dict[str, Any] | None = None  # a fill awaiting its trade

    def apply(self, kind: str, fields: dict[str, Any], found: list[str]) -> None:
        if self.pending is not None:
            fill, self.pending = self.pending, None
            self._check_trade_of(fill, kind, fields, found)
        if kind == "TradingRulesSet":
            if fields["mode"] not in ("live", "simulation"):
                found.append(f"mode {fields['mode']!r} is not live or simulation")
            parse_commission(fields["commission"])
            parse_slippage_bps(fields["slippage_bps"])
        elif kind == "OrderPlaced":
            order_id = fields["order_id"]
            if order_id in self.open:
                found.append(f"order {str(order_id)[:8]} was already placed")
            parse_ticker(fields["ticker"])
            parse_quantity(fields["quantity"])
            self.open[order_id] = fields
        elif kind in ("OrderFilled", "OrderCancelled", "OrderExpired", "OrderRejected"):
            order = self.open.pop(fields["order_id"], None)
            if order is None:
                found.append(f"order {str(fields['order_id'])[:8]} is not open")
            elif kind == "OrderFilled":
                if fields["quantity"] != order["quantity"]:
                    found.append(f"fills {fields['quantity']} of an order for {order['quantity']}")
                self.pending = {**fields, "ticker": order["ticker"], "side": order["side"]}

    @staticmethod
    def _check_trade_of(
        fill: dict[str, Any], kind: str, fields: dict[str, Any], found: list[str]
    ) -> None:
        expected = "SharesBought" if fill["side"] == "buy" else "SharesSold"
        same = kind == expected and all(
            fields.get(key) == fill[key] for key in ("ticker", "quantity", "price", "fee")
        )
        if not same or fields.get("price_kind") != "order":
            found.append(
                f"order {str(fill['order_id'])[:8]}'s fill is not followed by its {expected}"
            )
