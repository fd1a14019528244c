"""Orders: the trading rules they fill under, placing them, and how they end.

An open order holds back what it may need: a buy its estimated cost in cash, a sell its
quantity of shares (see `events.rules.cash` and `events.rules.trades`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from events.commission import parse_commission, parse_slippage_bps
from events.errors import InsufficientCashError, InvalidOrderError, UnknownOrderError
from events.orders import MODES, TIME_IN_FORCE, Order, check_order_shape
from events.rules import margin, volume
from events.rules.book import ZERO, Book, broken
from events.rules.cash import available_cash, check_buy, held_back
from events.rules.status import check_open_and_clock
from events.rules.trades import available_shares, check_sell, check_shares
from events.values import (
    check_trade_value,
    parse_fee,
    parse_money,
    parse_price,
    parse_quantity,
    parse_ticker,
)


def checked_rules(
    p: Book, mode: str, commission: str, slippage_bps: Decimal, on: date
) -> dict[str, Any]:
    """The fields of a TradingRulesSet, once the rules are valid and `on` may be recorded."""
    if mode not in MODES:
        raise broken(
            InvalidOrderError(f"Mode {mode!r} is not one of {', '.join(MODES)}."),
            f"mode {mode!r} is not live or simulation",
        )
    spec = parse_commission(commission).spec
    bps = parse_slippage_bps(slippage_bps)
    check_open_and_clock(p, on)
    return {"mode": mode, "commission": spec, "slippage_bps": bps, "on": on}


def open_order(p: Book, order_id: str) -> dict[str, Any]:
    """The fields of the open order `order_id`; UnknownOrderError if there is none."""
    found = p.open_orders.get(order_id) if isinstance(order_id, str) else None
    if found is None:
        raise broken(
            UnknownOrderError(
                f"{p.name!r} has no open order {str(order_id)[:8]!r}: it was filled, "
                "cancelled, expired or rejected, or never placed. See 'erasmo orders "
                f"{p.name}'."
            ),
            f"order {str(order_id)[:8]} is not open",
        )
    return found


def checked_order(
    p: Book,
    order_id: str,
    side: str,
    ticker: str,
    quantity: Decimal,
    kind: str,
    on: date,
    reserved: Decimal,
    prices: tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None],
    tif: str,
    expires: date | None,
) -> dict[str, Any]:
    """The fields of an OrderPlaced, once the order is valid and what it holds back is
    available. `prices`: limit, stop, trail amount, trail percent."""
    ticker, quantity = parse_ticker(ticker), parse_quantity(quantity)
    limit, stop, trail_amount, trail_percent = check_order_shape(side, kind, *prices)
    check_trade_value(quantity, limit, stop, trail_amount)
    if tif not in TIME_IN_FORCE:
        raise InvalidOrderError(f"Time in force {tif!r} is not one of day, gtc.")
    if expires is not None and tif != "gtc":
        raise InvalidOrderError("Only a GTC order can have an expiry date; use --tif gtc.")
    if not isinstance(order_id, str) or not order_id or order_id in p.open_orders:
        raise broken(
            InvalidOrderError(f"Order id {order_id!r} is empty or already in use."),
            f"order {str(order_id)[:8]} was already placed",
        )
    check_open_and_clock(p, on)
    if expires is not None and expires <= on:
        raise InvalidOrderError(
            f"The expiry {expires.isoformat()} must be after the day the order is placed "
            f"({on.isoformat()}): an order can fill from the next bar on."
        )
    reserved = _checked_reserve(p, side, ticker, quantity, reserved, limit or stop)
    return {
        "order_id": order_id,
        "side": side,
        "ticker": ticker,
        "quantity": quantity,
        "kind": kind,
        "limit": limit,
        "stop": stop,
        "trail_amount": trail_amount,
        "trail_percent": trail_percent,
        "tif": tif,
        "expires": expires,
        "reserved": reserved,
        "on": on,
    }


def _checked_reserve(
    p: Book, side: str, ticker: str, quantity: Decimal, reserved: Decimal, price: Decimal | None
) -> Decimal:
    """What the order holds back, once available: cash for a buy (margin for a margin
    account's order), its shares for a sell. `price`: the order's limit, else its stop."""
    if margin.is_margin(p):
        return _check_margin_order(p, side, ticker, quantity, reserved, price)
    if side == "buy":
        reserved = parse_money(reserved, what="The cash to reserve")
        if reserved > available_cash(p):
            raise InsufficientCashError(
                f"A buy of {quantity} {ticker} needs about {reserved:,.2f} {p.currency} "
                f"(estimated cost, slippage and fee) but {p.name!r} has "
                f"{available_cash(p):,.2f} available{held_back(p)}. Deposit more cash, "
                "buy fewer shares or cancel an open order."
            )
        return reserved
    if reserved != quantity:
        raise InvalidOrderError("A sell order reserves exactly its quantity of shares.")
    check_shares(p, ticker, quantity)
    return reserved


def _check_margin_order(
    p: Book, side: str, ticker: str, quantity: Decimal, reserved: Decimal, price: Decimal | None
) -> Decimal:
    """A margin account's order: a buy holds back its reserved cash, a sell the value of the
    shares it would sell short; either must fit in the buying power."""
    if side == "buy":
        needed = parse_money(reserved, what="The cash to reserve")
    else:
        if reserved != quantity:
            raise InvalidOrderError("A sell order reserves exactly its quantity of shares.")
        opens = margin.opening_quantity(p, side, ticker, quantity, available_shares(p, ticker))
        needed = opens * (price or margin.mark(p, ticker)) if opens else ZERO
    margin.check_order(p, side, ticker, quantity, needed)
    return reserved if side == "sell" else needed


def check_fill(
    p: Book,
    order_id: str,
    bar_day: date,
    price: Decimal,
    fee: Decimal,
    slippage: Decimal,
    part: Decimal | None = None,
) -> None:
    """An open order may fill on a later bar than its placing day, if the cash (its own
    reservation included, never another order's) or the shares cover it. `part`: the quantity
    of a volume-capped partial fill (None: the whole order)."""
    fields = open_order(p, order_id)
    quantity = volume.check_part(fields, part)
    releasing = fields["reserved"] - volume.reserve_after(fields, quantity)
    order = replace(Order(**fields), quantity=quantity, reserved=releasing)
    price, fee = parse_price(price), parse_fee(fee)
    if not isinstance(slippage, Decimal) or not slippage.is_finite() or slippage < 0:
        raise InvalidOrderError(f"Slippage {slippage!r} must be a decimal of at least 0.")
    check_open_and_clock(p, bar_day, market=True)
    if bar_day <= order.placed_on:
        raise InvalidOrderError(
            f"Order {order_id[:8]} was placed on {order.placed_on}; it can fill only on a "
            "later bar."
        )
    if order.last_fill_on is not None and bar_day <= order.last_fill_on:
        raise InvalidOrderError(
            f"Order {order_id[:8]} last filled in part on {order.last_fill_on}; the rest can "
            "fill only on a later bar."
        )
    if margin.is_margin(p):
        free = available_shares(p, order.ticker) + (order.quantity if order.side == "sell" else 0)
        margin.check_trade(
            p, order.side, order.ticker, order.quantity, price, fee, free, exclude=order_id
        )
    elif order.side == "buy":
        check_buy(p, order.ticker, order.quantity, price, fee, releasing=order.reserved)
    else:
        check_sell(p, order.ticker, order.quantity, price, fee, releasing=order.quantity)


def checked_part(
    p: Book,
    order_id: str,
    bar_day: date,
    price: Decimal,
    quantity: Decimal,
    fee: Decimal,
    slippage: Decimal,
) -> dict[str, Any]:
    """The fields of an OrderPartiallyFilled: `quantity`, less than the order's open quantity,
    fills on the bar of `bar_day` (see `events.rules.volume`)."""
    check_fill(p, order_id, bar_day, price, fee, slippage, quantity)
    if quantity >= open_order(p, order_id)["quantity"]:
        raise InvalidOrderError(
            f"A partial fill of {quantity} takes all of order {order_id[:8]}: record it as "
            "its fill."
        )
    fields = (order_id, bar_day, parse_price(price), quantity, parse_fee(fee), slippage)
    return dict(zip(volume.PART_FIELDS, (*fields, bar_day), strict=True))


def filled_fields(
    p: Book, order_id: str, bar_day: date, price: Decimal, fee: Decimal, slippage: Decimal
) -> dict[str, Any]:
    """The fields of an OrderFilled: the whole open order fills on the bar of `bar_day` (its
    checks are `check_fill`'s; this checks only the portfolio and the clock)."""
    quantity = open_order(p, order_id)["quantity"]
    check_open_and_clock(p, bar_day, market=True)
    price, fee = parse_price(price), parse_fee(fee)
    return {
        "order_id": order_id,
        "bar_day": bar_day,
        "price": price,
        "quantity": quantity,
        "fee": fee,
        "slippage": slippage,
        "on": bar_day,
    }


def check_fill_trade(fill: dict[str, Any], kind: str | None, fields: dict[str, Any]) -> None:
    """The event after an OrderFilled (its fields and its order's `side` and `ticker` in
    `fill`) must be the fill's trade, as `Portfolio.fill_order` records the two together; a
    `kind` of None: no event follows."""
    expected = "SharesBought" if fill["side"] == "buy" else "SharesSold"
    same = kind == expected and all(
        fields.get(key) == fill[key] for key in ("ticker", "quantity", "price", "fee")
    )
    if not same or fields.get("price_kind") != "order":
        order_id = str(fill["order_id"])[:8]
        raise broken(
            InvalidOrderError(
                f"The fill of order {order_id} is not followed by its trade ({expected} of "
                f"{fill['quantity']} {fill['ticker']} at {fill['price']}): a fill and its "
                "trade are recorded together."
            ),
            f"order {order_id}'s fill is not followed by its {expected}",
        )


# -- effects -------------------------------------------------------------------------------


def rules_set(self: Book, mode: str, commission: str, slippage_bps: Decimal, on: date) -> None:
    self.mode = mode
    self.commission = commission
    self.slippage_bps = slippage_bps
    self.clock = max(self.clock, on)


def placed(
    self: Book,
    order_id: str,
    side: str,
    ticker: str,
    quantity: Decimal,
    kind: str,
    limit: Decimal | None,
    stop: Decimal | None,
    trail_amount: Decimal | None,
    trail_percent: Decimal | None,
    tif: str,
    expires: date | None,
    reserved: Decimal,
    on: date,
) -> None:
    self.orders_placed += 1
    order = {
        "order_id": order_id,
        "number": self.orders_placed,
        "side": side,
        "ticker": ticker,
        "quantity": quantity,
        "kind": kind,
        "limit": limit,
        "stop": stop,
        "trail_amount": trail_amount,
        "trail_percent": trail_percent,
        "tif": tif,
        "expires": expires,
        "reserved": reserved,
        "placed_on": on,
    }
    # A new dict each time: `open_orders` may still be the class-level default.
    self.open_orders = {**self.open_orders, order_id: order}
    self.clock = max(self.clock, on)


def _done(self: Book, order_id: str, on: date) -> None:
    self.open_orders = {k: v for k, v in self.open_orders.items() if k != order_id}
    self.clock = max(self.clock, on)


def filled(
    self: Book,
    order_id: str,
    bar_day: date,
    price: Decimal,
    quantity: Decimal,
    fee: Decimal,
    slippage: Decimal,
    on: date,
) -> None:
    _done(self, order_id, on)


def cancelled(self: Book, order_id: str, on: date) -> None:
    _done(self, order_id, on)


def expired(self: Book, order_id: str, on: date) -> None:
    _done(self, order_id, on)


def rejected(self: Book, order_id: str, reason: str, on: date) -> None:
    _done(self, order_id, on)
