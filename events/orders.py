"""The terms of an order, apart from the aggregate that holds it: its value type, the kinds,
sides, times in force and modes there are, and the check of which prices each kind needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from events.errors import InvalidOrderError
from events.values import parse_price

HUNDRED = Decimal(100)
#: "live": the clock follows the market data; "simulation": it moves only when advanced.
MODES = ("live", "simulation")
ORDER_KINDS = ("market", "limit", "stop", "stop-limit", "trailing")
ORDER_SIDES = ("buy", "sell")
TIME_IN_FORCE = ("day", "gtc")
#: The events of orders, trading rules and the market clock, in the order they were added. They
#: move no cash and no shares: a fill's trade (SharesBought/SharesSold) does.
ORDER_EVENT_TYPES = (
    "TradingRulesSet",
    "OrderPlaced",
    "OrderFilled",
    "OrderCancelled",
    "OrderExpired",
    "OrderRejected",
    "ClockAdvanced",
)


@dataclass(frozen=True, slots=True)
class Order:
    """An order as placed (open until filled, cancelled, expired or rejected).

    Attributes:
        order_id: its id (32 hex digits).
        number: its place in the portfolio's placement order, from 1 (orders are processed in
            this order on each bar).
        side: "buy" or "sell".
        ticker, quantity: what to trade.
        kind: "market", "limit", "stop", "stop-limit" or "trailing".
        limit, stop: the limit and stop prices its kind needs, else None.
        trail_amount, trail_percent: a trailing stop's distance (one of them), else None.
        tif: "day" (expires after the first bar it could fill on) or "gtc".
        expires: a GTC order's last day, or None (good until cancelled).
        reserved: what it holds back: cash for a buy, shares for a sell.
        placed_on: the market date it was placed on; it can fill from the next bar on.
        filled: how much of it volume-capped fills took so far (`quantity` is the rest).
        last_fill_on: the bar of its latest partial fill; it goes on from the next bar.
    """

    order_id: str
    number: int
    side: str
    ticker: str
    quantity: Decimal
    kind: str
    limit: Decimal | None
    stop: Decimal | None
    trail_amount: Decimal | None
    trail_percent: Decimal | None
    tif: str
    expires: date | None
    reserved: Decimal
    placed_on: date
    filled: Decimal = Decimal(0)
    last_fill_on: date | None = None


def check_order_shape(
    side: str,
    kind: str,
    limit: Decimal | None,
    stop: Decimal | None,
    trail_amount: Decimal | None,
    trail_percent: Decimal | None,
) -> tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None]:
    """The order's prices, checked against what its kind needs (and nothing more)."""
    if side not in ORDER_SIDES:
        raise InvalidOrderError(f"Side {side!r} is not buy or sell.")
    if kind not in ORDER_KINDS:
        raise InvalidOrderError(f"Order type {kind!r} is not one of {', '.join(ORDER_KINDS)}.")
    needs_limit = kind in ("limit", "stop-limit")
    needs_stop = kind in ("stop", "stop-limit")
    if needs_limit != (limit is not None):
        raise InvalidOrderError(
            f"A {kind} order {'needs' if needs_limit else 'takes no'} limit price (--limit)."
        )
    if needs_stop != (stop is not None):
        raise InvalidOrderError(
            f"A {kind} order {'needs' if needs_stop else 'takes no'} stop price (--stop)."
        )
    trailing = trail_amount is not None or trail_percent is not None
    if (kind == "trailing") != trailing or (trail_amount is not None and trail_percent is not None):
        raise InvalidOrderError(
            "A trailing order needs one trail, an amount or a percentage (--trail 2.50 or "
            "--trail 5%); other orders take none."
        )
    limit = parse_price(limit) if limit is not None else None
    stop = parse_price(stop) if stop is not None else None
    trail_amount = parse_price(trail_amount) if trail_amount is not None else None
    if trail_percent is not None:
        trail_percent = parse_price(trail_percent)
        if trail_percent >= HUNDRED:
            raise InvalidOrderError(f"A trail of {trail_percent}% must be below 100%.")
    return limit, stop, trail_amount, trail_percent
